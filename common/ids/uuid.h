// UUIDs for event and audit ids. Thread-safe.
#ifndef RESILIENCE_COMMON_IDS_UUID_H_
#define RESILIENCE_COMMON_IDS_UUID_H_

#include <string>
#include <string_view>

namespace resilience {

// A random (version 4) UUID in lower-case text form.
std::string NewRandomUuid();

// A name-based UUID: the same `name_space` and `name` always give the same id (SHA-1 based,
// version 5 layout). Used so a provider's retry of one update id maps to the same event id, which
// consumers deduplicate.
std::string NameBasedUuid(std::string_view name_space, std::string_view name);

}  // namespace resilience

#endif  // RESILIENCE_COMMON_IDS_UUID_H_
