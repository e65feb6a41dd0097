#include "common/kafka/rdkafka_common.h"

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace resilience::kafka::internal {
namespace {

// Routes librdkafka's events and logs to our logger. Connection errors while a broker restarts
// are expected, so they are warnings, not errors.
class LoggingEventCb final : public RdKafka::EventCb {
 public:
  void event_cb(RdKafka::Event& event) override {
    static auto log = Logger("kafka");
    switch (event.type()) {
      case RdKafka::Event::EVENT_ERROR:
        log->warn("librdkafka: {}: {}", RdKafka::err2str(event.err()), event.str());
        break;
      case RdKafka::Event::EVENT_LOG:
        if (event.severity() <= RdKafka::Event::EVENT_SEVERITY_WARNING) {
          log->warn("librdkafka {}: {}", event.fac(), event.str());
        } else {
          log->debug("librdkafka {}: {}", event.fac(), event.str());
        }
        break;
      default:
        break;
    }
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> BuildConf(
    const ClientOptions& client, const std::map<std::string, std::string>& fixed) {
  if (client.bootstrap_servers.empty()) {
    return absl::InvalidArgumentError("kafka: bootstrap_servers is required");
  }
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  auto set = [&](const std::string& k, const std::string& v) -> absl::Status {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) {
      return absl::InvalidArgumentError(absl::StrCat("kafka property ", k, "=", v, ": ", err));
    }
    return absl::OkStatus();
  };
  absl::Status s = set("bootstrap.servers", client.bootstrap_servers);
  if (s.ok()) s = set("client.id", client.client_id);
  for (const auto& [k, v] : client.properties) {
    if (!s.ok()) break;
    if (fixed.count(k)) continue;  // the delivery guarantees are not negotiable
    s = set(k, v);
  }
  for (const auto& [k, v] : fixed) {
    if (!s.ok()) break;
    s = set(k, v);
  }
  if (!s.ok()) return s;
  static LoggingEventCb* event_cb = new LoggingEventCb();
  if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(event_cb), err) !=
      RdKafka::Conf::CONF_OK) {
    return absl::InternalError(absl::StrCat("kafka event_cb: ", err));
  }
  return conf;
}

absl::Status ToStatus(RdKafka::ErrorCode code, const std::string& context) {
  std::string message = absl::StrCat(context, ": ", RdKafka::err2str(code));
  switch (code) {
    case RdKafka::ERR_NO_ERROR:
      return absl::OkStatus();
    case RdKafka::ERR__MSG_TIMED_OUT:
    case RdKafka::ERR__TIMED_OUT:
    case RdKafka::ERR__TRANSPORT:
    case RdKafka::ERR__ALL_BROKERS_DOWN:
    case RdKafka::ERR__QUEUE_FULL:
    case RdKafka::ERR_NOT_LEADER_FOR_PARTITION:
    case RdKafka::ERR_LEADER_NOT_AVAILABLE:
    case RdKafka::ERR_REQUEST_TIMED_OUT:
    case RdKafka::ERR_NOT_ENOUGH_REPLICAS:
    case RdKafka::ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RdKafka::ERR_COORDINATOR_NOT_AVAILABLE:
    case RdKafka::ERR_NOT_COORDINATOR:
    case RdKafka::ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RdKafka::ERR__WAIT_COORD:
      return absl::UnavailableError(message);
    case RdKafka::ERR__UNKNOWN_TOPIC:
    case RdKafka::ERR_UNKNOWN_TOPIC_OR_PART:
    case RdKafka::ERR_MSG_SIZE_TOO_LARGE:
    case RdKafka::ERR_INVALID_MSG_SIZE:
    case RdKafka::ERR__INVALID_ARG:
      return absl::InvalidArgumentError(message);
    case RdKafka::ERR_REBALANCE_IN_PROGRESS:
    case RdKafka::ERR_ILLEGAL_GENERATION:
    case RdKafka::ERR_UNKNOWN_MEMBER_ID:
    case RdKafka::ERR__STATE:
    case RdKafka::ERR__ASSIGNMENT_LOST:
      return absl::AbortedError(message);
    default:
      return absl::InternalError(message);
  }
}

}  // namespace resilience::kafka::internal
