// Conversions between absl::Time and google.protobuf.Timestamp. Pure functions.
#ifndef RESILIENCE_COMMON_CLOCK_PROTO_TIME_H_
#define RESILIENCE_COMMON_CLOCK_PROTO_TIME_H_

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace resilience {

inline google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  google::protobuf::Timestamp ts;
  const absl::Duration since_epoch = t - absl::UnixEpoch();
  const int64_t seconds = absl::ToInt64Seconds(since_epoch);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(since_epoch - absl::Seconds(seconds))));
  if (ts.nanos() < 0) {  // before the epoch: keep nanos non-negative as the type requires
    ts.set_seconds(ts.seconds() - 1);
    ts.set_nanos(ts.nanos() + 1000000000);
  }
  return ts;
}

inline absl::Time FromProtoTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

}  // namespace resilience

#endif  // RESILIENCE_COMMON_CLOCK_PROTO_TIME_H_
