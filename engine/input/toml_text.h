// Reading TOML text (a scenario, SPEC §1.1, or a study): toml++'s parse, with its two gaps closed
// and its errors worded for a user. The one entry point for a user's TOML, so that no reader of
// one misses a guard (study.cc re-reads only text it wrote itself).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <toml++/toml.h>

namespace yl {

// Parses `text`, or throws InputError of `type` ("scenario", "study") in `file` at the line of
// the first error, worded as toml++ words it, except where it words it badly (an integer past 64
// bits, a key given twice: toml_reason). A line of more than 4096 '.' outside strings and comments
// is refused before toml++ reads it: toml++ 3.3 reads each part of a dotted key a level deeper on
// the stack, and some 31,000 parts overflowed it (helper-87's F1: a segfault, exit 139). A key is
// one line, so its parts are its line's dots; no key of a scenario or a study needs more than a
// few, and a line of 4096 numbers is more than any sweep lists.
toml::table read_toml(std::string_view text, const std::string& file, std::string_view type);

}  // namespace yl
