#include "services/escalation/alert_service.h"

#include <algorithm>
#include <deque>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/escalation/core/alert_lifecycle.h"
#include "services/escalation/core/levels.h"
#include "services/escalation/core/opel_levels.h"
#include "common/scope/scope_key.h"
#include "absl/synchronization/mutex.h"
#include "common/auth/credentials.h"
#include "common/clock/proto_time.h"
#include "common/grpc/status_conversion.h"

namespace resilience::escalation {

bool VisibleTo(const reference::v1::StaffMember& person, const v1::Alert& alert) {
  if (person.county_wide() || alert.area_id().empty()) return true;
  return std::find(person.area_ids().begin(), person.area_ids().end(), alert.area_id()) !=
         person.area_ids().end();
}

namespace {

// One Subscribe call: replays the stream after the resume token, then relays live entries from
// the feed, one write in flight at a time.
class AlertSubscription final : public grpc::ServerWriteReactor<v1::AlertStreamItem>,
                                public AlertFeedListener {
 public:
  // `viewer` sees only what their areas allow; `refused` (not OK) ends the call at once.
  AlertSubscription(LiveState* state, AlertFeed* feed, const v1::SubscribeRequest& request,
                    absl::Duration heartbeat, const reference::v1::StaffMember* viewer,
                    const absl::Status& refused)
      : feed_(feed), filter_(request.filter()), heartbeat_(heartbeat) {
    if (viewer != nullptr) viewer_ = *viewer;
    if (!refused.ok()) {
      finished_ = true;
      Finish(ToGrpcStatus(refused));
      return;
    }
    std::string token = request.resume_token();
    if (!token.empty()) {
      auto checked = CheckToken(state, token);
      if (!checked.ok()) {
        finished_ = true;
        Finish(ToGrpcStatus(checked.status()));
        return;
      }
      token = *checked;
    }
    const std::string joined_after = feed_->Add(this);
    absl::Status replayed = absl::OkStatus();
    std::string last = token.empty() ? joined_after : token;
    std::deque<StreamEntry> backlog;
    if (!token.empty()) {
      // Entries up to the moment of joining come from Redis; later ones from the feed (buffered
      // meanwhile). Overlap is removed by comparing stream ids.
      while (true) {
        auto entries = state->ReadStream(last, 500, absl::ZeroDuration());
        if (!entries.ok()) {
          replayed = entries.status();
          break;
        }
        if (entries->empty()) break;
        for (auto& e : *entries) {
          last = e.id;
          backlog.push_back(std::move(e));
        }
      }
    }
    if (!replayed.ok()) {
      FinishOnce(ToGrpcStatus(replayed));
      return;
    }
    absl::MutexLock lock(&mu_);
    // The first item is always a heartbeat carrying the position the stream starts from: the
    // client knows it is subscribed and holds a token even before any alert arrives.
    v1::AlertStreamItem hello;
    hello.set_resume_token(token.empty() ? joined_after : token);
    *hello.mutable_heartbeat() = ToProtoTime(absl::Now());
    queue_.push_back(std::move(hello));
    last_id_ = *ParseStreamId(last);
    for (auto& e : backlog) Enqueue(e);
    replaying_ = false;
    for (auto& [e, repeat] : buffered_) Relay(e, repeat);
    buffered_.clear();
    MaybeWrite();
  }

  void OnEntry(const StreamEntry& entry, bool repeat) override {
    absl::MutexLock lock(&mu_);
    if (replaying_) {
      buffered_.push_back({entry, repeat});
      return;
    }
    Relay(entry, repeat);
    MaybeWrite();
  }

  void OnIdle(absl::Time now) override {
    absl::MutexLock lock(&mu_);
    if (replaying_ || writing_ || !queue_.empty() || now - last_write_ < heartbeat_) return;
    v1::AlertStreamItem item;
    item.set_resume_token(absl::StrCat(last_id_.ms, "-", last_id_.seq));
    *item.mutable_heartbeat() = ToProtoTime(now);
    queue_.push_back(std::move(item));
    MaybeWrite();
  }

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (ok) {
        MaybeWrite();
        return;
      }
    }
    FinishOnce(grpc::Status(grpc::StatusCode::CANCELLED, "client went away"));
  }

  void OnShutdown() override {
    {
      absl::MutexLock lock(&mu_);
      if (finished_) return;
      finished_ = true;
    }
    // The feed drops us itself (it holds its lock here, so no Remove()).
    Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "server shutting down: reconnect with your last resume token"));
  }

  void OnCancel() override { FinishOnce(grpc::Status::CANCELLED); }

  void OnDone() override { delete this; }

 private:
  // The position to replay from: the token itself, or "0-0" when the stream was rebuilt from
  // Kafka after the token (the whole rebuilt stream, every alert's latest revision).
  static absl::StatusOr<std::string> CheckToken(LiveState* state, const std::string& token) {
    auto parsed = ParseStreamId(token);
    if (!parsed.ok()) return parsed.status();
    auto first = state->FirstStreamId();
    if (!first.ok()) return first.status();
    auto first_id = ParseStreamId(*first);
    if (first_id.ok() && *first != "0-0" && *parsed < *first_id) {
      auto rebuilt = state->StreamRebuiltAt();
      if (!rebuilt.ok()) return rebuilt.status();
      if (*rebuilt == *first) return std::string("0-0");
      // The entry after the token may have been trimmed: the client cannot be told what it
      // missed from the stream and must list alerts afresh.
      return absl::OutOfRangeError(absl::StrCat(
          "resume token ", token, " is older than the retained alert stream (oldest ", *first,
          "): call ListAlerts, then subscribe without a token"));
    }
    return token;
  }

  // Records the entry as seen and queues it when it passes the filter and is no `repeat`.
  void Relay(const StreamEntry& entry, bool repeat) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto id = ParseStreamId(entry.id);
    if (!id.ok() || *id <= last_id_) return;
    last_id_ = *id;
    if (!repeat) {
      Enqueue(entry);
      return;
    }
    // Only the position moves on, carried by one heartbeat however many repeats in a row, so
    // a client reconnecting soon after a rebuild resumes past it rather than replaying it.
    if (queue_.empty() || !queue_.back().has_heartbeat()) {
      *queue_.emplace_back().mutable_heartbeat() = ToProtoTime(absl::Now());
    }
    queue_.back().set_resume_token(entry.id);
  }

  void Enqueue(const StreamEntry& entry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!AlertMatches(entry.alert, filter_) || !VisibleTo(viewer_, entry.alert)) return;
    v1::AlertStreamItem item;
    item.set_resume_token(entry.id);
    *item.mutable_alert() = entry.alert;
    queue_.push_back(std::move(item));
  }

  void MaybeWrite() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || finished_ || queue_.empty()) return;
    current_ = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    last_write_ = absl::Now();
    StartWrite(&current_);
  }

  void FinishOnce(grpc::Status status) {
    {
      absl::MutexLock lock(&mu_);
      if (finished_) return;
      finished_ = true;
    }
    feed_->Remove(this);  // without mu_: the feed calls us holding its own lock
    Finish(status);
  }

  AlertFeed* feed_;
  reference::v1::StaffMember viewer_;
  const v1::AlertFilter filter_;
  const absl::Duration heartbeat_;
  absl::Mutex mu_;
  bool replaying_ ABSL_GUARDED_BY(mu_) = true;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  StreamId last_id_ ABSL_GUARDED_BY(mu_);
  absl::Time last_write_ ABSL_GUARDED_BY(mu_) = absl::Now();
  std::deque<std::pair<StreamEntry, bool>> buffered_ ABSL_GUARDED_BY(mu_);  // entry, repeat
  std::deque<v1::AlertStreamItem> queue_ ABSL_GUARDED_BY(mu_);
  v1::AlertStreamItem current_;
};

}  // namespace

bool AlertMatches(const v1::Alert& alert, const v1::AlertFilter& filter) {
  if (!filter.area_ids().empty() &&
      std::find(filter.area_ids().begin(), filter.area_ids().end(), alert.area_id()) ==
          filter.area_ids().end()) {
    return false;
  }
  if (filter.min_level() != common::v1::OPEL_LEVEL_UNSPECIFIED &&
      alert.level() < filter.min_level()) {
    return false;
  }
  if (!filter.role_id().empty() &&
      std::none_of(alert.recipients().begin(), alert.recipients().end(),
                   [&](const auto& r) { return r.role_id() == filter.role_id(); })) {
    return false;
  }
  return true;
}

AlertServiceImpl::AlertServiceImpl(LiveState* state, LevelState* levels, AlertFeed* feed,
                                   kafka::Producer* producer,
                                   std::shared_ptr<const ReferenceIndex> reference,
                                   const Clock* clock, AlertServiceOptions options,
                                   DutyDesk* desk, NotificationStamp* stamp)
    : state_(state),
      levels_(levels),
      feed_(feed),
      producer_(producer),
      reference_(std::move(reference)),
      clock_(clock),
      options_(std::move(options)),
      desk_(desk),
      stamp_(stamp) {}

namespace {

// The signed-in staff member, or UNAUTHENTICATED: the holder of the call's bearer token
// ("authorization: Bearer <token>", DESIGN 8), else the person `x-staff-user` names (development,
// and the console's users: with development headers off the server's caller policy has already
// refused that header from anyone but a trusted client).
absl::StatusOr<const reference::v1::StaffMember*> StaffOf(const grpc::CallbackServerContext* context,
                                                          const ReferenceIndex& reference) {
  const auto& md = context->client_metadata();
  auto it = md.find(kStaffUserHeader);
  const std::string named =
      it == md.end() ? "" : std::string(it->second.data(), it->second.size());
  if (auto a = md.find(auth::kAuthorizationHeader); a != md.end()) {
    auto token = auth::BearerToken(absl::string_view(a->second.data(), a->second.size()));
    if (!token.ok()) return token.status();
    auto holder = auth::StaffByToken(reference, *token);
    if (!holder.ok()) return holder.status();
    if (!named.empty() && named != (*holder)->id()) {
      return absl::UnauthenticatedError(
          absl::StrCat("'", kStaffUserHeader, "' names someone other than the token's holder"));
    }
    return *holder;
  }
  if (named.empty()) {
    return absl::UnauthenticatedError(
        absl::StrCat("sign in: send \"authorization: Bearer <your token>\" (in development, your "
                     "staff user id in '", kStaffUserHeader, "')"));
  }
  const std::string& id = named;
  const auto* person = reference.FindPerson(id);
  if (person == nullptr) {
    return absl::UnauthenticatedError(absl::StrCat("no staff member '", id, "'"));
  }
  return person;
}

bool Covers(const reference::v1::StaffMember& person, const std::string& area_id) {
  if (person.county_wide() || area_id.empty()) return true;
  return std::find(person.area_ids().begin(), person.area_ids().end(), area_id) !=
         person.area_ids().end();
}

}  // namespace

absl::StatusOr<v1::Alert> AlertServiceImpl::AcknowledgeFor(const reference::v1::StaffMember& person,
                                                           const v1::AcknowledgeRequest& request) {
  if (request.alert_id().empty()) {
    common::v1::FieldViolation v;
    v.set_field("alert_id");
    v.set_reason("required");
    return InvalidArgumentWithViolations({v});
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto loaded = state_->GetAlert(request.alert_id());
    if (!loaded.ok()) return loaded.status();
    if (!loaded->has_value()) {
      return absl::NotFoundError(absl::StrCat("no alert '", request.alert_id(), "'"));
    }
    const v1::Alert& alert = **loaded;
    if (!Covers(person, alert.area_id())) {
      return absl::PermissionDeniedError(absl::StrCat(
          person.id(), " does not cover area '", alert.area_id(), "' of alert ", alert.alert_id()));
    }
    const absl::Time now = clock_->Now();
    auto acked = AcknowledgeAlert(alert, person.id(), person.role_id(), request.note(), now);
    if (!acked.ok()) {
      if (absl::IsInvalidArgument(acked.status())) {
        common::v1::FieldViolation v;
        v.set_field("note");
        v.set_reason(std::string(absl::StripPrefix(acked.status().message(), "note: ")));
        return InvalidArgumentWithViolations({v});
      }
      return acked.status();
    }
    if (!acked->changed) return acked->alert;
    if (stamp_ != nullptr) stamp_->Stamp(&acked->alert, now);
    const v1::AuditRecord audit =
        AlertAudit(acked->alert, "alert.acknowledged", person.id(), request.note(), now,
                   absl::StrCat(alert.alert_id(), "#", acked->alert.revision()));
    for (const absl::Status& s : producer_->SendAll(
             {{options_.alerts_topic, alert.alert_id(), acked->alert.SerializeAsString(),
               {{"revision", absl::StrCat(acked->alert.revision())}}},
              {options_.audit_topic, alert.alert_id(), audit.SerializeAsString(),
               {{"audit_id", audit.audit_id()}}}})) {
      if (!s.ok()) return s;
    }
    auto stored = state_->StoreTransition(acked->alert, alert.revision(), audit);
    if (stored.ok()) return acked->alert;
    if (!absl::IsAborted(stored.status())) return stored.status();
    // The alert moved (a new figure arrived): acknowledge the current revision instead.
  }
  return absl::AbortedError("the alert kept changing; try again");
}

grpc::ServerUnaryReactor* AlertServiceImpl::Acknowledge(grpc::CallbackServerContext* context,
                                                        const v1::AcknowledgeRequest* request,
                                                        v1::Alert* response) {
  auto* reactor = context->DefaultReactor();
  auto person = StaffOf(context, *reference_);
  if (!person.ok()) {
    reactor->Finish(ToGrpcStatus(person.status(), context));
    return reactor;
  }
  auto alert = AcknowledgeFor(**person, *request);
  if (alert.ok()) *response = *std::move(alert);
  reactor->Finish(ToGrpcStatus(alert.status(), context));
  return reactor;
}

absl::StatusOr<v1::LevelStatus> AlertServiceImpl::Declare(const reference::v1::StaffMember& person,
                                                          const common::v1::ScopeRef& scope,
                                                          std::optional<common::v1::OpelLevel> level,
                                                          const std::string& reason) {
  std::vector<common::v1::FieldViolation> violations;
  auto violation = [&](std::string field, std::string why) {
    common::v1::FieldViolation v;
    v.set_field(std::move(field));
    v.set_reason(std::move(why));
    violations.push_back(std::move(v));
  };
  const bool kcc_scope = (scope.kind() == common::v1::SCOPE_KIND_AREA ||
                          scope.kind() == common::v1::SCOPE_KIND_COUNTY);
  if (!kcc_scope || !reference_->ScopeExists(scope)) {
    violation("scope", "must name a KCC area or the county");
  }
  if (level.has_value() && !IsLevel(*level)) violation("level", "must be OPEL 1 to 4");
  if (reason.size() < 10) violation("reason", "required: at least 10 characters on why");
  if (!violations.empty()) return InvalidArgumentWithViolations(violations);
  const auto* role = reference_->FindRole(person.role_id());
  if (role == nullptr || !role->may_declare_level()) {
    return absl::PermissionDeniedError(
        absl::StrCat(person.id(), " (", person.role_id(), ") may not declare KCC levels"));
  }
  if (scope.kind() == common::v1::SCOPE_KIND_AREA && !Covers(person, scope.id())) {
    return absl::PermissionDeniedError(absl::StrCat(person.id(), " does not cover ", scope.id()));
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto loaded = levels_->Load(scope);
    if (!loaded.ok()) return loaded.status();
    const absl::Time now = clock_->Now();
    v1::LevelStatus status =
        loaded->record.has_value() ? loaded->record->status : v1::LevelStatus();
    *status.mutable_scope() = scope;
    v1::AuditRecord audit;
    const std::string subject = ScopeKey(scope);
    if (level.has_value()) {
      v1::Declaration* d = status.mutable_declaration();
      d->Clear();
      d->set_level(*level);
      d->set_declared_by(person.id());
      d->set_role_id(person.role_id());
      d->set_reason(reason);
      *d->mutable_declared_at() = ToProtoTime(now);
      d->set_computed_level_at_declaration(status.computed_level());
      *d->mutable_expires_at() = ToProtoTime(DeclarationExpiry(now, options_.zone));
      audit.set_action("level.declared");
      (*audit.mutable_detail())["declared_level"] = LevelColour(*level);
    } else {
      if (!status.has_declaration()) {
        return absl::FailedPreconditionError(absl::StrCat("no declaration in force for ", subject));
      }
      status.clear_declaration();
      audit.set_action("level.withdrawn");
    }
    std::optional<v1::Declaration> declaration;
    if (status.has_declaration()) declaration = status.declaration();
    status.set_effective_level(EffectiveLevel(status.computed_level(), declaration, now));
    audit.set_audit_id(absl::StrCat(subject, "#", audit.action(), "@", absl::ToUnixMillis(now)));
    *audit.mutable_at() = ToProtoTime(now);
    audit.set_actor(person.id());
    audit.set_subject(subject);
    audit.set_reason(reason);
    (*audit.mutable_detail())["computed_level"] = LevelColour(status.computed_level());
    (*audit.mutable_detail())["effective_level"] = LevelColour(status.effective_level());
    for (const absl::Status& s : producer_->SendAll(
             {{options_.status_topic, subject, status.SerializeAsString(), {}},
              {options_.audit_topic, subject, audit.SerializeAsString(),
               {{"audit_id", audit.audit_id()}}}})) {
      if (!s.ok()) return s;
    }
    absl::Status stored = levels_->StoreStatus(scope, loaded->version, status, audit);
    if (stored.ok()) return status;
    if (!absl::IsAborted(stored)) return stored;
  }
  return absl::AbortedError("the level kept changing; try again");
}

grpc::ServerUnaryReactor* AlertServiceImpl::DeclareLevel(grpc::CallbackServerContext* context,
                                                         const v1::DeclareLevelRequest* request,
                                                         v1::LevelStatus* response) {
  auto* reactor = context->DefaultReactor();
  auto person = StaffOf(context, *reference_);
  absl::StatusOr<v1::LevelStatus> status =
      person.ok() ? Declare(**person, request->scope(), request->level(), request->reason())
                  : absl::StatusOr<v1::LevelStatus>(person.status());
  if (status.ok()) *response = *std::move(status);
  reactor->Finish(ToGrpcStatus(status.status(), context));
  return reactor;
}

grpc::ServerUnaryReactor* AlertServiceImpl::WithdrawDeclaration(
    grpc::CallbackServerContext* context, const v1::WithdrawDeclarationRequest* request,
    v1::LevelStatus* response) {
  auto* reactor = context->DefaultReactor();
  auto person = StaffOf(context, *reference_);
  absl::StatusOr<v1::LevelStatus> status =
      person.ok() ? Declare(**person, request->scope(), std::nullopt, request->reason())
                  : absl::StatusOr<v1::LevelStatus>(person.status());
  if (status.ok()) *response = *std::move(status);
  reactor->Finish(ToGrpcStatus(status.status(), context));
  return reactor;
}

grpc::ServerUnaryReactor* AlertServiceImpl::ListAudit(grpc::CallbackServerContext* context,
                                                      const v1::ListAuditRequest* request,
                                                      v1::ListAuditResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto person = StaffOf(context, *reference_);
  if (!person.ok()) {
    reactor->Finish(ToGrpcStatus(person.status(), context));
    return reactor;
  }
  // The subject's area decides who may read its trail: an alert's area, a scope's area.
  std::string area;
  if (auto scope = ParseScopeKey(request->subject()); scope.ok()) {
    area = reference_->AreaOf(*scope).value_or("");
  } else if (auto alert = state_->GetAlert(request->subject()); alert.ok() && alert->has_value()) {
    area = (**alert).area_id();
  }
  if (!Covers(**person, area)) {
    reactor->Finish(ToGrpcStatus(absl::PermissionDeniedError(absl::StrCat(
                                     (*person)->id(), " does not cover area '", area, "'")),
                                 context));
    return reactor;
  }
  const size_t limit = request->limit() == 0 ? 100 : std::min<uint32_t>(request->limit(), 1000);
  auto records = state_->ListAudit(request->subject(), limit);
  if (records.ok()) {
    for (auto& r : *records) *response->add_records() = std::move(r);
  }
  reactor->Finish(ToGrpcStatus(records.status(), context));
  return reactor;
}

grpc::ServerWriteReactor<v1::AlertStreamItem>* AlertServiceImpl::Subscribe(
    grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) {
  auto person = StaffOf(context, *reference_);
  absl::Status refused = person.status();
  if (refused.ok()) {
    for (const auto& area : request->filter().area_ids()) {
      if (!Covers(**person, area)) {
        refused = absl::PermissionDeniedError(
            absl::StrCat((*person)->id(), " does not cover area '", area, "'"));
      }
    }
  }
  return new AlertSubscription(state_, feed_, *request, options_.heartbeat_interval,
                               person.ok() ? *person : nullptr, refused);
}

grpc::ServerUnaryReactor* AlertServiceImpl::GetAlert(grpc::CallbackServerContext* context,
                                                     const v1::GetAlertRequest* request,
                                                     v1::Alert* response) {
  auto* reactor = context->DefaultReactor();
  auto person = StaffOf(context, *reference_);
  if (!person.ok()) {
    reactor->Finish(ToGrpcStatus(person.status(), context));
    return reactor;
  }
  auto alert = state_->GetAlert(request->alert_id());
  if (!alert.ok()) {
    reactor->Finish(ToGrpcStatus(alert.status(), context));
  } else if (!alert->has_value()) {
    reactor->Finish(ToGrpcStatus(
        absl::NotFoundError(absl::StrCat("no alert '", request->alert_id(), "'")), context));
  } else if (!VisibleTo(**person, **alert)) {
    reactor->Finish(ToGrpcStatus(
        absl::PermissionDeniedError(absl::StrCat((*person)->id(), " does not cover area '",
                                                 (**alert).area_id(), "'")),
        context));
  } else {
    *response = **alert;
    reactor->Finish(grpc::Status::OK);
  }
  return reactor;
}

grpc::ServerUnaryReactor* AlertServiceImpl::ListAlerts(grpc::CallbackServerContext* context,
                                                       const v1::ListAlertsRequest* request,
                                                       v1::ListAlertsResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto person = StaffOf(context, *reference_);
  if (!person.ok()) {
    reactor->Finish(ToGrpcStatus(person.status(), context));
    return reactor;
  }
  const size_t limit = request->limit() == 0 ? 100 : std::min<uint32_t>(request->limit(), 500);
  auto alerts = state_->ListAlerts(limit);
  if (!alerts.ok()) {
    reactor->Finish(ToGrpcStatus(alerts.status(), context));
    return reactor;
  }
  for (const auto& a : *alerts) {
    if (!request->filter().include_resolved() && a.state() == v1::ALERT_STATE_RESOLVED) continue;
    if (AlertMatches(a, request->filter()) && VisibleTo(**person, a)) *response->add_alerts() = a;
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* AlertServiceImpl::GetStatusBoard(
    grpc::CallbackServerContext* context, const v1::GetStatusBoardRequest* request,
    v1::StatusBoard* response) {
  auto* reactor = context->DefaultReactor();
  auto person = StaffOf(context, *reference_);
  if (!person.ok()) {
    reactor->Finish(ToGrpcStatus(person.status(), context));
    return reactor;
  }
  // A figure or level of another area is not shown; county-wide and NHS scopes are.
  auto visible = [&](const common::v1::ScopeRef& scope) {
    const std::string area = reference_->AreaOf(scope).value_or("");
    if (!request->area_ids().empty() && !area.empty() &&
        std::find(request->area_ids().begin(), request->area_ids().end(), area) ==
            request->area_ids().end()) {
      return false;
    }
    return Covers(**person, area);
  };
  auto indicators = state_->ListIndicators();
  if (!indicators.ok()) {
    reactor->Finish(ToGrpcStatus(indicators.status(), context));
    return reactor;
  }
  for (auto& i : *indicators) {
    if (visible(i.latest().scope())) *response->add_indicators() = std::move(i);
  }
  auto levels = levels_->ListLevels();
  if (!levels.ok()) {
    reactor->Finish(ToGrpcStatus(levels.status(), context));
    return reactor;
  }
  for (auto& l : *levels) {
    if (visible(l.scope())) *response->add_levels() = std::move(l);
  }
  *response->mutable_as_of() = ToProtoTime(clock_->Now());
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* AlertServiceImpl::AsStaff(
    grpc::CallbackServerContext* context,
    const std::function<absl::Status(const reference::v1::StaffMember&)>& work) {
  auto* reactor = context->DefaultReactor();
  auto person = StaffOf(context, *reference_);
  absl::Status status = person.status();
  if (status.ok() && desk_ == nullptr) {
    status = absl::UnimplementedError("this instance runs without the duty desk");
  }
  if (status.ok()) status = work(**person);
  reactor->Finish(ToGrpcStatus(status, context));
  return reactor;
}

absl::StatusOr<v1::Alert> AlertServiceImpl::RecordActionFor(const reference::v1::StaffMember& person,
                                                            const v1::RecordActionRequest& request) {
  std::vector<common::v1::FieldViolation> violations;
  auto violation = [&](std::string field, std::string why) {
    common::v1::FieldViolation v;
    v.set_field(std::move(field));
    v.set_reason(std::move(why));
    violations.push_back(std::move(v));
  };
  if (request.alert_id().empty()) violation("alert_id", "required");
  if (request.action_id().empty()) violation("action_id", "required");
  if (!violations.empty()) return InvalidArgumentWithViolations(violations);
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto loaded = state_->GetAlert(request.alert_id());
    if (!loaded.ok()) return loaded.status();
    if (!loaded->has_value()) {
      return absl::NotFoundError(absl::StrCat("no alert '", request.alert_id(), "'"));
    }
    const v1::Alert& alert = **loaded;
    if (!Covers(person, alert.area_id())) {
      return absl::PermissionDeniedError(absl::StrCat(
          person.id(), " does not cover area '", alert.area_id(), "' of alert ", alert.alert_id()));
    }
    const absl::Time now = clock_->Now();
    auto recorded = RecordAlertAction(alert, person.id(), request.action_id(), request.done(),
                                      request.note(), request.risks(), now);
    if (!recorded.ok()) {
      if (absl::IsInvalidArgument(recorded.status())) {
        std::vector<std::string> parts =
            absl::StrSplit(recorded.status().message(), absl::MaxSplits(": ", 1));
        violation(parts[0], parts.size() > 1 ? parts[1] : "");
        return InvalidArgumentWithViolations(violations);
      }
      return recorded.status();
    }
    if (!recorded->changed) return recorded->alert;
    v1::AuditRecord audit = AlertAudit(
        recorded->alert, "alert.action_recorded", person.id(), request.note(), now,
        absl::StrCat(alert.alert_id(), "#", recorded->alert.revision()));
    (*audit.mutable_detail())["action_id"] = request.action_id();
    (*audit.mutable_detail())["done"] = request.done() ? "true" : "false";
    if (!request.risks().empty()) (*audit.mutable_detail())["risks"] = request.risks();
    for (const absl::Status& s : producer_->SendAll(
             {{options_.alerts_topic, alert.alert_id(), recorded->alert.SerializeAsString(),
               {{"revision", absl::StrCat(recorded->alert.revision())}}},
              {options_.audit_topic, alert.alert_id(), audit.SerializeAsString(),
               {{"audit_id", audit.audit_id()}}}})) {
      if (!s.ok()) return s;
    }
    auto stored = state_->StoreTransition(recorded->alert, alert.revision(), audit);
    if (stored.ok()) return recorded->alert;
    if (!absl::IsAborted(stored.status())) return stored.status();
  }
  return absl::AbortedError("the alert kept changing; try again");
}

grpc::ServerUnaryReactor* AlertServiceImpl::RecordAction(grpc::CallbackServerContext* context,
                                                         const v1::RecordActionRequest* request,
                                                         v1::Alert* response) {
  auto* reactor = context->DefaultReactor();
  auto person = StaffOf(context, *reference_);
  absl::StatusOr<v1::Alert> alert =
      person.ok() ? RecordActionFor(**person, *request) : absl::StatusOr<v1::Alert>(person.status());
  if (alert.ok()) *response = *std::move(alert);
  reactor->Finish(ToGrpcStatus(alert.status(), context));
  return reactor;
}

grpc::ServerUnaryReactor* AlertServiceImpl::ListTasks(grpc::CallbackServerContext* context,
                                                      const v1::ListTasksRequest* request,
                                                      v1::ListTasksResponse* response) {
  return AsStaff(context, [&](const reference::v1::StaffMember& person) -> absl::Status {
    auto tasks = desk_->ListTasks(person, request->include_closed());
    if (!tasks.ok()) return tasks.status();
    for (auto& t : *tasks) *response->add_tasks() = std::move(t);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AlertServiceImpl::CompleteTaskStep(
    grpc::CallbackServerContext* context, const v1::CompleteTaskStepRequest* request,
    v1::ProtocolTask* response) {
  return AsStaff(context, [&](const reference::v1::StaffMember& person) -> absl::Status {
    auto task = desk_->CompleteTaskStep(person, *request, clock_->Now());
    if (!task.ok()) return task.status();
    *response = *std::move(task);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AlertServiceImpl::ListDecisionPrompts(
    grpc::CallbackServerContext* context, const v1::ListDecisionPromptsRequest* request,
    v1::ListDecisionPromptsResponse* response) {
  return AsStaff(context, [&](const reference::v1::StaffMember& person) -> absl::Status {
    auto prompts = desk_->ListPrompts(person, request->include_answered());
    if (!prompts.ok()) return prompts.status();
    for (auto& p : *prompts) *response->add_prompts() = std::move(p);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AlertServiceImpl::AnswerDecisionPrompt(
    grpc::CallbackServerContext* context, const v1::AnswerDecisionPromptRequest* request,
    v1::DecisionPrompt* response) {
  return AsStaff(context, [&](const reference::v1::StaffMember& person) -> absl::Status {
    auto prompt = desk_->AnswerPrompt(person, *request, clock_->Now());
    if (!prompt.ok()) return prompt.status();
    *response = *std::move(prompt);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AlertServiceImpl::CreateSilence(grpc::CallbackServerContext* context,
                                                          const v1::CreateSilenceRequest* request,
                                                          v1::Silence* response) {
  return AsStaff(context, [&](const reference::v1::StaffMember& person) -> absl::Status {
    auto silence = desk_->CreateSilence(person, *request, clock_->Now());
    if (!silence.ok()) return silence.status();
    *response = *std::move(silence);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AlertServiceImpl::ListSilences(grpc::CallbackServerContext* context,
                                                         const v1::ListSilencesRequest* request,
                                                         v1::ListSilencesResponse* response) {
  return AsStaff(context, [&](const reference::v1::StaffMember&) -> absl::Status {
    auto silences = desk_->ListSilences();
    if (!silences.ok()) return silences.status();
    const absl::Time now = clock_->Now();
    for (auto& s : *silences) {
      if (FromProtoTime(s.until()) > now) *response->add_silences() = std::move(s);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AlertServiceImpl::ExpireSilence(grpc::CallbackServerContext* context,
                                                          const v1::ExpireSilenceRequest* request,
                                                          v1::Silence* response) {
  return AsStaff(context, [&](const reference::v1::StaffMember& person) -> absl::Status {
    auto silence = desk_->ExpireSilence(person, *request, clock_->Now());
    if (!silence.ok()) return silence.status();
    *response = *std::move(silence);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AlertServiceImpl::RecordNotification(
    grpc::CallbackServerContext* context, const v1::RecordNotificationRequest* request,
    v1::RecordNotificationResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto person = StaffOf(context, *reference_);
  absl::Status status = person.status();
  if (status.ok() && (*person)->role_id() != kPlatformServiceRole) {
    status = absl::PermissionDeniedError(
        absl::StrCat((*person)->id(), " is not a platform service account"));
  }
  std::vector<common::v1::FieldViolation> violations;
  auto violation = [&](std::string field, std::string why) {
    common::v1::FieldViolation v;
    v.set_field(std::move(field));
    v.set_reason(std::move(why));
    violations.push_back(std::move(v));
  };
  if (status.ok()) {
    if (request->alerts().empty()) violation("alerts", "at least one alert");
    if (request->delivery_id().empty()) violation("delivery_id", "required");
    if (request->attempt() == 0) violation("attempt", "from 1");
    if (request->outcome().empty()) violation("outcome", "required");
    if (!violations.empty()) status = InvalidArgumentWithViolations(violations);
  }
  for (int i = 0; status.ok() && i < request->alerts_size(); ++i) {
    const auto& delivered = request->alerts(i);
    v1::AuditRecord audit;
    audit.set_audit_id(absl::StrCat(delivered.alert_id(), "#notification#", request->delivery_id(),
                                    "#", request->attempt()));
    *audit.mutable_at() = request->has_at() ? request->at() : ToProtoTime(clock_->Now());
    audit.set_actor((*person)->id());
    audit.set_action("notification.attempt");
    audit.set_subject(delivered.alert_id());
    audit.set_reason(absl::StrCat(request->outcome(), request->error().empty() ? "" : ": ",
                                  request->error()));
    auto& d = *audit.mutable_detail();
    d["revision"] = absl::StrCat(delivered.revision());
    d["route_id"] = request->route_id();
    d["destination"] = request->destination();
    d["delivery_id"] = request->delivery_id();
    d["attempt"] = absl::StrCat(request->attempt());
    d["http_status"] = absl::StrCat(request->http_status());
    d["outcome"] = request->outcome();
    status = producer_->Send({options_.audit_topic, delivered.alert_id(), audit.SerializeAsString(),
                              {{"audit_id", audit.audit_id()}}});
    if (!status.ok()) break;
    auto appended = state_->AppendAuditOnce(delivered.alert_id(), audit);
    status = appended.status();
    if (status.ok() && *appended) *response->add_records() = audit;
  }
  reactor->Finish(ToGrpcStatus(status, context));
  return reactor;
}

}  // namespace resilience::escalation
