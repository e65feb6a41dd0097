#include "services/escalation/workflow_state.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"

namespace resilience::escalation {
namespace {

// KEYS: 1 item hash, 2 open zset, 3 all zset, 4 guard, 5 item audit list, 6 alert key,
//       7 alert revision key, 8 stream, 9 alert index, 10 alert audit list, 11 seen key
// ARGV: 1 expected revision, 2 record, 3 id, 4 open '1'/'0', 5 opened ms, 6 guard mode,
//       7 guard value, 8 item audit ('' none), 9 alert ('' none), 10 alert id,
//       11 expected alert revision, 12 new alert revision, 13 stream max, 14 raised ms,
//       15 alert audit ('' none), 16 seen ttl ('' none)
const redis::Script& StoreScript() {
  static const redis::Script* script = new redis::Script(R"lua(
local v = tonumber(redis.call('HGET', KEYS[1], 'revision') or '0')
if v ~= tonumber(ARGV[1]) then return {'conflict', ''} end
local mode = ARGV[6]
if mode == 'claim' or mode == 'claim-higher' then
  local g = redis.call('GET', KEYS[4])
  if g then
    if mode == 'claim' then return {'guarded', g} end
    if tonumber(string.match(g, '^(%d+)')) >= tonumber(string.match(ARGV[7], '^(%d+)')) then
      return {'guarded', g}
    end
  end
end
if ARGV[9] ~= '' then
  local rev = redis.call('GET', KEYS[7])
  if rev and tonumber(rev) ~= tonumber(ARGV[11]) then return {'conflict', ''} end
end
redis.call('HSET', KEYS[1], 'record', ARGV[2], 'revision', v + 1)
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[3])
if redis.call('ZCARD', KEYS[3]) > 1000 then redis.call('ZREMRANGEBYRANK', KEYS[3], 0, 0) end
if ARGV[4] == '1' then redis.call('ZADD', KEYS[2], ARGV[5], ARGV[3]) else redis.call('ZREM', KEYS[2], ARGV[3]) end
if mode == 'claim' or mode == 'claim-higher' then
  redis.call('SET', KEYS[4], ARGV[7])
elseif mode == 'release' and redis.call('GET', KEYS[4]) == ARGV[7] then
  redis.call('DEL', KEYS[4])
end
if ARGV[8] ~= '' then redis.call('RPUSH', KEYS[5], ARGV[8]) end
if ARGV[16] ~= '' then redis.call('SET', KEYS[11], '1', 'EX', ARGV[16]) end
local sid = ''
if ARGV[9] ~= '' then
  redis.call('SET', KEYS[6], ARGV[9])
  redis.call('SET', KEYS[7], ARGV[12])
  redis.call('ZADD', KEYS[9], ARGV[14], ARGV[10])
  if ARGV[15] ~= '' then redis.call('RPUSH', KEYS[10], ARGV[15]) end
  sid = redis.call('XADD', KEYS[8], 'MAXLEN', '~', ARGV[13], '*', 'alert_id', ARGV[10], 'alert', ARGV[9])
end
return {'ok', sid}
)lua");
  return *script;
}

// KEYS: 1 alert key, 2 alert revision key, 3 stream, 4 alert index, 5 audit list, 6 seen key
// ARGV: 1 alert id, 2 alert, 3 stream max, 4 raised ms, 5 audit, 6 seen ttl
const redis::Script& RaiseOnceScript() {
  static const redis::Script* script = new redis::Script(R"lua(
redis.call('SET', KEYS[6], '1', 'EX', ARGV[6])
if redis.call('EXISTS', KEYS[1]) == 1 then return '' end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], '1')
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
redis.call('RPUSH', KEYS[5], ARGV[5])
return redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[3], '*', 'alert_id', ARGV[1], 'alert', ARGV[2])
)lua");
  return *script;
}

std::string GuardModeName(GuardMode mode) {
  switch (mode) {
    case GuardMode::kClaim: return "claim";
    case GuardMode::kClaimIfHigher: return "claim-higher";
    case GuardMode::kRelease: return "release";
    default: return "none";
  }
}

}  // namespace

WorkflowState::WorkflowState(redis::Client* client, LiveState* alerts, std::string prefix,
                             int64_t stream_max_entries)
    : client_(client),
      alerts_(alerts),
      prefix_(std::move(prefix)),
      stream_max_entries_(stream_max_entries) {}

std::string WorkflowState::Key(const std::string& suffix) const {
  return absl::StrCat(prefix_, "{work}:", suffix);
}

template <typename T>
absl::StatusOr<std::optional<Stored<T>>> WorkflowState::Load(const std::string& key) {
  // Ends with the live-view check: a task read as missing from a wiped view would be opened
  // (and published) again.
  auto replies = alerts_->RunChecked(client_, {{"HMGET", key, "record", "revision"}});
  if (!replies.ok()) return replies.status();
  const absl::StatusOr<redis::Reply>& reply = replies->front();
  if (!reply.ok()) return reply.status();
  if (reply->elements.size() != 2 || reply->elements[0].is_nil()) {
    return std::optional<Stored<T>>();
  }
  Stored<T> out;
  if (!out.item.ParseFromString(reply->elements[0].str)) {
    return absl::DataLossError(absl::StrCat("unreadable record at ", key));
  }
  absl::SimpleAtoi(reply->elements[1].str, &out.revision);
  return std::optional<Stored<T>>(std::move(out));
}

absl::StatusOr<std::optional<Stored<v1::ProtocolTask>>> WorkflowState::LoadTask(
    const std::string& task_id) {
  return Load<v1::ProtocolTask>(Key("task:" + task_id));
}

absl::StatusOr<std::optional<Stored<v1::DecisionPrompt>>> WorkflowState::LoadPrompt(
    const std::string& id) {
  return Load<v1::DecisionPrompt>(Key("prompt:" + id));
}

absl::StatusOr<std::string> WorkflowState::Store(const std::string& kind, const std::string& id,
                                                 const std::string& record,
                                                 const WorkChange& change) {
  const std::string item_key = Key(absl::StrCat(kind, ":", id));
  const bool with_alert = change.alert.has_value();
  const std::string alert_id = with_alert ? change.alert->alert_id() : "";
  const std::string seen = change.seen_scope.has_value()
                               ? alerts_->SeenKeyOf(*change.seen_scope, change.seen_event_id)
                               : item_key;
  auto reply = client_->Eval(
      StoreScript(),
      {item_key, Key(kind + "s:open"), Key(kind + "s:all"),
       change.guard_name.empty() ? item_key : Key("guard:" + change.guard_name),
       alerts_->AuditKeyOf(id), with_alert ? alerts_->AlertKeyOf(alert_id) : item_key,
       with_alert ? alerts_->RevisionKeyOf(alert_id) : item_key, alerts_->StreamKey(),
       alerts_->AlertIndexKey(), with_alert ? alerts_->AuditKeyOf(alert_id) : item_key, seen},
      {absl::StrCat(change.expected_revision), record, id, change.open ? "1" : "0",
       absl::StrCat(absl::ToUnixMillis(change.opened_at)),
       change.guard_name.empty() ? "none" : GuardModeName(change.guard), change.guard_value,
       change.audit.has_value() ? change.audit->SerializeAsString() : "",
       with_alert ? change.alert->SerializeAsString() : "", alert_id,
       absl::StrCat(change.expected_alert_revision),
       absl::StrCat(with_alert ? change.alert->revision() : 0), absl::StrCat(stream_max_entries_),
       absl::StrCat(with_alert ? absl::ToUnixMillis(FromProtoTime(change.alert->raised_at())) : 0),
       change.alert_audit.has_value() ? change.alert_audit->SerializeAsString() : "",
       change.seen_scope.has_value() ? absl::StrCat(LiveState::kSeenTtlSeconds) : ""});
  if (!reply.ok()) return reply.status();
  if (reply->elements.size() != 2) return absl::InternalError("work script: unexpected reply");
  const std::string& outcome = reply->elements[0].str;
  if (outcome == "conflict") return absl::AbortedError(absl::StrCat(kind, " ", id, " changed meanwhile"));
  if (outcome == "guarded") return absl::AlreadyExistsError(reply->elements[1].str);
  return reply->elements[1].str;
}

absl::StatusOr<std::string> WorkflowState::StoreTask(const v1::ProtocolTask& task,
                                                     const WorkChange& change) {
  return Store("task", task.task_id(), task.SerializeAsString(), change);
}

absl::StatusOr<std::string> WorkflowState::StorePrompt(const v1::DecisionPrompt& prompt,
                                                       const WorkChange& change) {
  return Store("prompt", prompt.prompt_id(), prompt.SerializeAsString(), change);
}

template <typename T>
absl::StatusOr<std::vector<T>> WorkflowState::List(const std::string& kind, bool include_closed) {
  // Both round trips end with the live-view check: timed re-notification must not read a
  // wiped view as "no open tasks".
  auto listed = alerts_->RunChecked(
      client_, {{"ZREVRANGE", Key(kind + (include_closed ? "s:all" : "s:open")), "0", "499"}});
  if (!listed.ok()) return listed.status();
  const auto& ids = listed->front();
  if (!ids.ok()) return ids.status();
  std::vector<T> out;
  if (ids->elements.empty()) return out;
  std::vector<redis::Command> commands;
  for (const auto& id : ids->elements) {
    commands.push_back({"HGET", Key(absl::StrCat(kind, ":", id.str)), "record"});
  }
  auto replies = alerts_->RunChecked(client_, std::move(commands));
  if (!replies.ok()) return replies.status();
  for (const auto& r : *replies) {
    T item;
    if (r.ok() && !r->is_nil() && item.ParseFromString(r->str)) out.push_back(std::move(item));
  }
  return out;
}

absl::StatusOr<std::vector<v1::ProtocolTask>> WorkflowState::ListTasks(bool include_closed) {
  return List<v1::ProtocolTask>("task", include_closed);
}

absl::StatusOr<std::vector<v1::DecisionPrompt>> WorkflowState::ListPrompts(bool include_answered) {
  return List<v1::DecisionPrompt>("prompt", include_answered);
}

absl::StatusOr<std::string> WorkflowState::Guard(const std::string& name) {
  auto guards = Guards({name});
  if (!guards.ok()) return guards.status();
  return std::move(guards->front());
}

absl::StatusOr<std::vector<std::string>> WorkflowState::Guards(
    const std::vector<std::string>& names) {
  std::vector<std::string> out;
  if (names.empty()) return out;
  std::vector<redis::Command> commands;
  commands.reserve(names.size());
  for (const std::string& name : names) commands.push_back({"GET", Key("guard:" + name)});
  // Checked: a guard read as missing from a wiped view would open its task or prompt again.
  auto replies = alerts_->RunChecked(client_, std::move(commands));
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < names.size(); ++i) {
    const auto& reply = (*replies)[i];
    if (!reply.ok()) return reply.status();
    out.push_back(reply->is_nil() ? std::string() : reply->str);
  }
  return out;
}

absl::Status WorkflowState::ReleaseGuard(const std::string& name, const std::string& value) {
  static const redis::Script* script = new redis::Script(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 'ok'
)lua");
  return client_->Eval(*script, {Key("guard:" + name)}, {value}).status();
}

absl::Status WorkflowState::PutSilence(const v1::Silence& silence, const v1::AuditRecord& audit,
                                       bool active) {
  static const redis::Script* script = new redis::Script(R"lua(
redis.call('SET', KEYS[1], ARGV[1])
if ARGV[5] == '1' then redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3]) else redis.call('ZREM', KEYS[2], ARGV[3]) end
redis.call('RPUSH', KEYS[3], ARGV[4])
return 'ok'
)lua");
  return client_
      ->Eval(*script,
             {Key("silence:" + silence.silence_id()), Key("silences"),
              alerts_->AuditKeyOf(silence.silence_id())},
             {silence.SerializeAsString(),
              absl::StrCat(absl::ToUnixMillis(FromProtoTime(silence.until()))),
              silence.silence_id(), audit.SerializeAsString(), active ? "1" : "0"})
      .status();
}

absl::StatusOr<std::optional<v1::Silence>> WorkflowState::GetSilence(const std::string& silence_id) {
  auto reply = client_->Run({"GET", Key("silence:" + silence_id)});
  if (!reply.ok()) return reply.status();
  if (reply->is_nil()) return std::optional<v1::Silence>();
  v1::Silence s;
  if (!s.ParseFromString(reply->str)) return absl::DataLossError("unreadable silence " + silence_id);
  return std::optional<v1::Silence>(std::move(s));
}

absl::StatusOr<std::vector<v1::Silence>> WorkflowState::ActiveSilences() {
  auto ids = client_->Run({"ZRANGE", Key("silences"), "0", "-1"});
  if (!ids.ok()) return ids.status();
  std::vector<v1::Silence> out;
  if (ids->elements.empty()) return out;
  std::vector<redis::Command> commands;
  for (const auto& id : ids->elements) commands.push_back({"GET", Key("silence:" + id.str)});
  auto replies = client_->RunPipeline(commands);
  if (!replies.ok()) return replies.status();
  for (const auto& r : *replies) {
    v1::Silence s;
    if (r.ok() && !r->is_nil() && s.ParseFromString(r->str)) out.push_back(std::move(s));
  }
  return out;
}

absl::StatusOr<std::vector<v1::Silence>> WorkflowState::ExpireDue(absl::Time now) {
  auto ids = client_->Run({"ZRANGEBYSCORE", Key("silences"), "-inf",
                           absl::StrCat(absl::ToUnixMillis(now))});
  if (!ids.ok()) return ids.status();
  std::vector<v1::Silence> out;
  for (const auto& id : ids->elements) {
    auto removed = client_->Run({"ZREM", Key("silences"), id.str});
    if (!removed.ok()) return removed.status();
    if (removed->integer != 1) continue;  // another instance got there first
    auto s = GetSilence(id.str);
    if (!s.ok()) return s.status();
    if (s->has_value()) out.push_back(**s);
  }
  return out;
}

absl::Status WorkflowState::AppendAudit(const std::string& subject, const v1::AuditRecord& audit) {
  return client_->Run({"RPUSH", alerts_->AuditKeyOf(subject), audit.SerializeAsString()}).status();
}

absl::StatusOr<std::string> WorkflowState::RaiseAlertOnce(const v1::Alert& alert,
                                                          const v1::AuditRecord& audit,
                                                          const common::v1::ScopeRef& seen_scope,
                                                          const std::string& seen_event_id) {
  auto reply = client_->Eval(
      RaiseOnceScript(),
      {alerts_->AlertKeyOf(alert.alert_id()), alerts_->RevisionKeyOf(alert.alert_id()),
       alerts_->StreamKey(), alerts_->AlertIndexKey(), alerts_->AuditKeyOf(alert.alert_id()),
       alerts_->SeenKeyOf(seen_scope, seen_event_id)},
      {alert.alert_id(), alert.SerializeAsString(), absl::StrCat(stream_max_entries_),
       absl::StrCat(absl::ToUnixMillis(FromProtoTime(alert.raised_at()))),
       audit.SerializeAsString(), absl::StrCat(LiveState::kSeenTtlSeconds)});
  if (!reply.ok()) return reply.status();
  return reply->str;
}

absl::StatusOr<bool> WorkflowState::HoldLease(const std::string& name, const std::string& holder,
                                              absl::Duration ttl) {
  static const redis::Script* script = new redis::Script(R"lua(
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
)lua");
  auto reply = client_->Eval(*script, {Key("lease:" + name)},
                             {holder, absl::StrCat(absl::ToInt64Milliseconds(ttl))});
  if (!reply.ok()) return reply.status();
  return reply->integer == 1;
}

absl::StatusOr<std::vector<v1::Alert>> WorkflowState::FiringAlerts(size_t limit) {
  auto alerts = alerts_->ListAlerts(limit);
  if (!alerts.ok()) return alerts.status();
  std::vector<v1::Alert> out;
  for (auto& a : *alerts) {
    if (a.state() == v1::ALERT_STATE_FIRING) out.push_back(std::move(a));
  }
  return out;
}

}  // namespace resilience::escalation
