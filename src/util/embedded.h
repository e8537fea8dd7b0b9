#pragma once
// Files compiled into the binary by cmake/embed.cmake.
#include <cstddef>
#include <span>
#include <string_view>

namespace contactd {

struct EmbeddedFile {
    const char* name;  // path relative to its source folder, '/'-separated
    const char* data;
    std::size_t size;
    std::string_view view() const { return {data, size}; }
};

std::span<const EmbeddedFile> embedded_migrations();  // sql/*.sql
std::span<const EmbeddedFile> embedded_static();      // static/** (the portal)
std::span<const EmbeddedFile> embedded_openapi();     // docs/openapi.json
std::span<const EmbeddedFile> embedded_templates();   // templates/<lang>/<kind>.<part> (messages)
std::span<const EmbeddedFile> embedded_common_passwords();  // john-data's password.lst

}  // namespace contactd
