// Short names for the statuses the parser's case tables expect, shared by those tables.
#pragma once

#include "http/status.h"

namespace rpslab::http::test {

inline constexpr status s400 = status::bad_request;
inline constexpr status s413 = status::payload_too_large;
inline constexpr status s414 = status::uri_too_long;
inline constexpr status s431 = status::request_header_fields_too_large;
inline constexpr status s501 = status::not_implemented;
inline constexpr status s505 = status::http_version_not_supported;

} // namespace rpslab::http::test
