// How far a consumer group is behind on some topics: the records published but not yet
// committed by the group. Tests wait for 0 ("everything published has been applied") instead of
// sleeping. And rewinding a stopped group, as a consumer lost before committing leaves it.
// Thread-compatible.
#ifndef RESILIENCE_TESTS_TESTING_KAFKA_LAG_H_
#define RESILIENCE_TESTS_TESTING_KAFKA_LAG_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace resilience::testing {

// Sum over every partition of `topics` of (high watermark - the group's committed offset, or the
// low watermark when it has committed nothing). UNAVAILABLE when the broker does not answer.
absl::StatusOr<int64_t> GroupLag(const std::string& bootstrap, const std::string& group,
                                 const std::vector<std::string>& topics);

// Commits each partition's low watermark for `group` on every partition of `topics`: as if its
// consumers had applied nothing. The group must have no members (its consumers stopped).
// FAILED_PRECONDITION when the broker refuses the commit.
absl::Status RewindGroup(const std::string& bootstrap, const std::string& group,
                         const std::vector<std::string>& topics);

}  // namespace resilience::testing

#endif  // RESILIENCE_TESTS_TESTING_KAFKA_LAG_H_
