// The console's static assets (services/console/assets/: pages, JavaScript, CSS), compiled into
// the binary at build time so nothing is fetched or read from disk at run time. Thread-safe
// (immutable).
#ifndef RESILIENCE_SERVICES_CONSOLE_EMBEDDED_ASSETS_H_
#define RESILIENCE_SERVICES_CONSOLE_EMBEDDED_ASSETS_H_

#include <string_view>

namespace resilience::console {

struct EmbeddedAsset {
  std::string_view content_type;
  std::string_view body;
};

// The asset with file name `name` ("app.js"), or null.
const EmbeddedAsset* FindEmbeddedAsset(std::string_view name);

// Content type by file extension (html, js, css, svg, png, json; else octet-stream).
std::string_view ContentTypeOf(std::string_view name);

}  // namespace resilience::console

#endif  // RESILIENCE_SERVICES_CONSOLE_EMBEDDED_ASSETS_H_
