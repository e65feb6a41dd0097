#include "services/escalation/level_state.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/clock/proto_time.h"
#include "common/scope/scope_key.h"

namespace resilience::escalation {
namespace {

// KEYS: 1 level hash, 2 alert key (or unused), 3 alert revision key (or unused), 4 stream,
//       5 alert index, 6 audit list (or unused), 7 level set
// ARGV: 1 expected version, 2 record, 3 episode, 4 alert id ("" = none), 5 alert, 6 expected
//       alert revision, 7 new revision, 8 stream max, 9 raised ms, 10 audit, 11 scope key
const redis::Script& StoreScript() {
  static const redis::Script* script = new redis::Script(R"lua(
local v = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if v ~= tonumber(ARGV[1]) then return {'conflict', ''} end
if ARGV[4] ~= '' then
  local rev = redis.call('GET', KEYS[3])
  if rev and tonumber(rev) ~= tonumber(ARGV[6]) then return {'conflict', ''} end
end
redis.call('HSET', KEYS[1], 'record', ARGV[2], 'episode', ARGV[3], 'version', v + 1)
redis.call('SADD', KEYS[7], ARGV[11])
local sid = ''
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[1], 'alert_id', ARGV[4])
  redis.call('SET', KEYS[2], ARGV[5])
  redis.call('SET', KEYS[3], ARGV[7])
  redis.call('ZADD', KEYS[5], ARGV[9], ARGV[4])
  redis.call('RPUSH', KEYS[6], ARGV[10])
  sid = redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[8], '*', 'alert_id', ARGV[4], 'alert', ARGV[5])
end
return {'ok', sid}
)lua");
  return *script;
}

// KEYS: 1 level hash, 2 audit list, 3 level set; ARGV: 1 expected version, 2 record, 3 audit,
// 4 scope key
const redis::Script& StatusScript() {
  static const redis::Script* script = new redis::Script(R"lua(
local v = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if v ~= tonumber(ARGV[1]) then return 'conflict' end
redis.call('HSET', KEYS[1], 'record', ARGV[2], 'version', v + 1)
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[4])
return 'ok'
)lua");
  return *script;
}

}  // namespace

absl::Status LevelState::StoreStatus(const common::v1::ScopeRef& scope, int64_t expected_version,
                                     const v1::LevelStatus& status, const v1::AuditRecord& audit) {
  auto reply = client_->Eval(StatusScript(),
                             {LevelKey(scope), alerts_->AuditKeyOf(ScopeKey(scope)),
                              absl::StrCat(prefix_, "{status}:levels")},
                             {absl::StrCat(expected_version), status.SerializeAsString(),
                              audit.SerializeAsString(), ScopeKey(scope)});
  if (!reply.ok()) return reply.status();
  if (reply->str == "conflict") {
    return absl::AbortedError(absl::StrCat("level ", ScopeKey(scope), " changed meanwhile"));
  }
  return absl::OkStatus();
}

LevelState::LevelState(redis::Client* client, LiveState* alerts, std::string prefix,
                       int64_t stream_max_entries)
    : client_(client),
      alerts_(alerts),
      prefix_(std::move(prefix)),
      stream_max_entries_(stream_max_entries) {}

std::string LevelState::LevelKey(const common::v1::ScopeRef& scope) const {
  return absl::StrCat(prefix_, "{", ScopeKey(scope), "}:level");
}

absl::StatusOr<LoadedLevel> LevelState::Load(const common::v1::ScopeRef& scope) {
  RollUpReads reads;
  reads.level_alert = true;
  auto loaded = LoadForRollUp(scope, reads);
  if (!loaded.ok()) return loaded.status();
  return std::move(loaded->level);
}

absl::StatusOr<RollUpInputs> LevelState::LoadForRollUp(const common::v1::ScopeRef& scope,
                                                        const RollUpReads& reads) {
  auto loaded = LoadManyForRollUp({{&scope, &reads}});
  if (!loaded.ok()) return loaded.status();
  return std::move((*loaded)[0]);
}

absl::StatusOr<std::vector<absl::StatusOr<RollUpInputs>>> LevelState::LoadManyForRollUp(
    const std::vector<RollUpLoad>& loads) {
  std::vector<redis::Command> commands;
  std::vector<absl::Status> bad(loads.size());  // a figure key that names no scope
  for (size_t l = 0; l < loads.size(); ++l) {
    const RollUpReads& reads = *loads[l].reads;
    commands.push_back(
        {"HMGET", LevelKey(*loads[l].scope), "record", "episode", "version", "alert_id"});
    for (const std::string& key : reads.figure_keys) {
      std::vector<std::string> parts = absl::StrSplit(key, absl::MaxSplits('|', 1));
      auto figure_scope = ParseScopeKey(parts[0]);
      // The read keeps its place in the pipeline; the load fails as a whole.
      if (!figure_scope.ok() || parts.size() != 2) {
        bad[l] = absl::InvalidArgumentError("bad figure key " + key);
        commands.push_back({"EXISTS", key});
        continue;
      }
      redis::Command get = {"HMGET", alerts_->IndicatorKeyOf(*figure_scope, parts[1]), "record"};
      if (reads.stale_alerts) get.push_back("stale_alert");
      commands.push_back(std::move(get));
    }
    for (const auto& s : reads.status_scopes) commands.push_back({"HGET", LevelKey(s), "record"});
  }
  auto replies = alerts_->RunChecked(client_, std::move(commands));
  if (!replies.ok()) return replies.status();
  std::vector<absl::StatusOr<RollUpInputs>> results;
  results.reserve(loads.size());
  size_t at = 0;
  for (size_t l = 0; l < loads.size(); ++l) {
    const common::v1::ScopeRef& scope = *loads[l].scope;
    const RollUpReads& reads = *loads[l].reads;
    const size_t first = at;
    at += 1 + reads.figure_keys.size() + reads.status_scopes.size();
    results.push_back(ParseRollUp(scope, reads, *replies, first));
    if (!bad[l].ok()) results.back() = bad[l];
  }
  return results;
}

absl::StatusOr<RollUpInputs> LevelState::ParseRollUp(
    const common::v1::ScopeRef& scope, const RollUpReads& reads,
    const std::vector<absl::StatusOr<redis::Reply>>& replies, size_t first) {
  const size_t count = 1 + reads.figure_keys.size() + reads.status_scopes.size();
  for (size_t i = first; i < first + count; ++i) {
    if (!replies[i].ok()) return replies[i].status();
  }
  RollUpInputs out;
  size_t at = first + 1;
  if (reads.stale_alerts) out.stale_alerts.resize(reads.figure_keys.size());
  for (size_t i = 0; i < reads.figure_keys.size(); ++i, ++at) {
    const redis::Reply& r = *replies[at];
    if (r.elements.empty()) continue;
    if (reads.stale_alerts && r.elements.size() > 1 && !r.elements[1].is_nil()) {
      out.stale_alerts[i] = r.elements[1].str;
    }
    v1::IndicatorStatus status;
    if (!r.elements[0].is_nil() && status.ParseFromString(r.elements[0].str)) {
      out.figures[reads.figure_keys[i]] = std::move(status);
    }
  }
  out.statuses.resize(reads.status_scopes.size());
  for (size_t i = 0; i < reads.status_scopes.size(); ++i, ++at) {
    const redis::Reply& r = *replies[at];
    if (r.is_nil()) continue;
    v1::LevelStatus status;
    if (!status.ParseFromString(r.str)) {
      return absl::DataLossError(
          absl::StrCat("unreadable level at ", LevelKey(reads.status_scopes[i])));
    }
    out.statuses[i] = std::move(status);
  }
  const redis::Reply& level = *replies[first];
  if (level.elements.size() != 4 || level.elements[0].is_nil()) return out;
  ScopeLevelRecord record;
  if (!record.status.ParseFromString(level.elements[0].str)) {
    return absl::DataLossError(absl::StrCat("unreadable level at ", LevelKey(scope)));
  }
  absl::SimpleAtoi(level.elements[1].str, &record.episode);
  absl::SimpleAtoi(level.elements[2].str, &out.level.version);
  if (!level.elements[3].is_nil()) out.level.alert_id = level.elements[3].str;
  if (reads.level_alert && !out.level.alert_id.empty()) {
    auto alert = alerts_->GetAlert(out.level.alert_id);
    if (!alert.ok()) return alert.status();
    record.alert = *alert;
  }
  out.level.record = std::move(record);
  return out;
}

redis::ScriptCall LevelState::StoreCall(const common::v1::ScopeRef& scope,
                                        int64_t expected_version, const ScopeLevelAssessment& a,
                                        const v1::AuditRecord& audit) const {
  const bool alert_changed = a.changed_alert.has_value();
  const std::string alert_id = alert_changed ? a.changed_alert->alert_id() : "";
  const uint64_t rev = alert_changed ? a.changed_alert->revision() : 0;
  const std::string unused = LevelKey(scope);
  return {{LevelKey(scope), alert_changed ? alerts_->AlertKeyOf(alert_id) : unused,
           alert_changed ? alerts_->RevisionKeyOf(alert_id) : unused, alerts_->StreamKey(),
           absl::StrCat(prefix_, "{alerts}:index"),
           alert_changed ? alerts_->AuditKeyOf(alert_id) : unused,
           absl::StrCat(prefix_, "{status}:levels")},
          {absl::StrCat(expected_version), a.next.status.SerializeAsString(),
           absl::StrCat(a.next.episode), alert_id,
           alert_changed ? a.changed_alert->SerializeAsString() : "",
           absl::StrCat(rev > 0 ? rev - 1 : 0), absl::StrCat(rev),
           absl::StrCat(stream_max_entries_),
           absl::StrCat(alert_changed
                            ? absl::ToUnixMillis(FromProtoTime(a.changed_alert->raised_at()))
                            : 0),
           alert_changed ? audit.SerializeAsString() : "", ScopeKey(scope)}};
}

namespace {

// The stream id of a store script's reply, or ABORTED on a conflict.
absl::StatusOr<std::string> StoreOutcome(const redis::Reply& reply,
                                         const common::v1::ScopeRef& scope) {
  if (reply.elements.size() != 2) return absl::InternalError("level script: unexpected reply");
  if (reply.elements[0].str == "conflict") {
    return absl::AbortedError(absl::StrCat("level ", ScopeKey(scope), " changed meanwhile"));
  }
  return reply.elements[1].str;
}

}  // namespace

absl::StatusOr<std::string> LevelState::Store(const common::v1::ScopeRef& scope,
                                              int64_t expected_version,
                                              const ScopeLevelAssessment& a,
                                              const v1::AuditRecord& audit) {
  redis::ScriptCall call = StoreCall(scope, expected_version, a, audit);
  auto reply = client_->Eval(StoreScript(), call.keys, call.args);
  if (!reply.ok()) return reply.status();
  return StoreOutcome(*reply, scope);
}

absl::StatusOr<std::vector<absl::Status>> LevelState::StoreMany(
    const std::vector<LevelStore>& stores) {
  std::vector<redis::ScriptCall> calls;
  calls.reserve(stores.size());
  const v1::AuditRecord no_audit;
  for (const LevelStore& s : stores) {
    calls.push_back(StoreCall(*s.scope, s.expected_version, *s.assessment, no_audit));
  }
  std::vector<absl::Status> out;
  if (calls.empty()) return out;
  auto replies = client_->EvalMany(StoreScript(), calls);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < stores.size(); ++i) {
    const auto& r = (*replies)[i];
    out.push_back(r.ok() ? StoreOutcome(*r, *stores[i].scope).status() : r.status());
  }
  return out;
}

absl::StatusOr<std::vector<v1::LevelStatus>> LevelState::ListLevels() {
  auto members = client_->Run({"SMEMBERS", absl::StrCat(prefix_, "{status}:levels")});
  if (!members.ok()) return members.status();
  std::vector<redis::Command> commands;
  for (const auto& m : members->elements) {
    auto scope = ParseScopeKey(m.str);
    if (scope.ok()) commands.push_back({"HGET", LevelKey(*scope), "record"});
  }
  std::vector<v1::LevelStatus> out;
  if (commands.empty()) return out;
  auto replies = client_->RunPipeline(commands);
  if (!replies.ok()) return replies.status();
  for (const auto& r : *replies) {
    v1::LevelStatus s;
    if (r.ok() && !r->is_nil() && s.ParseFromString(r->str)) out.push_back(std::move(s));
  }
  return out;
}

absl::StatusOr<std::map<std::string, v1::IndicatorStatus>> LevelState::LoadFigures(
    const std::vector<std::string>& keys) {
  auto loaded = LoadLevelsAndFigures({}, keys);
  if (!loaded.ok()) return loaded.status();
  return std::move(loaded->figures);
}

absl::StatusOr<LevelState::LevelsAndFigures> LevelState::LoadLevelsAndFigures(
    const std::vector<common::v1::ScopeRef>& scopes, const std::vector<std::string>& figure_keys) {
  LevelsAndFigures out;
  if (scopes.empty() && figure_keys.empty()) return out;
  std::vector<redis::Command> commands;
  commands.reserve(scopes.size() + figure_keys.size());
  for (const auto& scope : scopes) commands.push_back({"HGET", LevelKey(scope), "record"});
  for (const std::string& key : figure_keys) {
    std::vector<std::string> parts = absl::StrSplit(key, absl::MaxSplits('|', 1));
    auto scope = ParseScopeKey(parts[0]);
    if (!scope.ok() || parts.size() != 2) return absl::InvalidArgumentError("bad figure key " + key);
    commands.push_back({"HGET", alerts_->IndicatorKeyOf(*scope, parts[1]), "record"});
  }
  auto replies = alerts_->RunChecked(client_, std::move(commands));
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < replies->size(); ++i) {
    const auto& r = (*replies)[i];
    if (!r.ok() || r->is_nil()) continue;
    if (i < scopes.size()) {
      v1::LevelStatus s;
      if (s.ParseFromString(r->str)) out.levels.push_back(std::move(s));
      continue;
    }
    v1::IndicatorStatus s;
    if (s.ParseFromString(r->str)) out.figures[figure_keys[i - scopes.size()]] = std::move(s);
  }
  return out;
}

}  // namespace resilience::escalation
