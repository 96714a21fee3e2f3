# Writes a C++ file defining `std::string_view NAME()` that returns the bytes of the file IN,
# as raw string literals. Called at build time with -DOUT=... -DIN=... -DNAME=... [-DMUST=TEXT]
# (MUST: a text the file has to contain, e.g. the UMD build's global `.Chart=`).
file(READ "${IN}" text)
if(DEFINED MUST AND NOT MUST STREQUAL "")
  string(FIND "${text}" "${MUST}" found)
  if(found EQUAL -1)
    message(FATAL_ERROR "${IN} does not contain '${MUST}': not the file expected")
  endif()
endif()
string(FIND "${text}" ")yl_text\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw string delimiter )yl_text\"")
endif()
# A single string literal may be limited in length (C++ allows compilers 65,536 characters), so
# the text goes in pieces of 16,000 characters that the compiler concatenates.
string(LENGTH "${text}" length)
set(body "// Generated from ${IN} by scripts/embed_text.cmake. Do not edit.\n")
string(APPEND body "#include <string_view>\n\nnamespace yl::html {\n\n")
string(APPEND body "std::string_view ${NAME}() {\n  static constexpr char kText[] =\n")
set(offset 0)
while(offset LESS length)
  string(SUBSTRING "${text}" ${offset} 16000 piece)
  string(APPEND body "R\"yl_text(${piece})yl_text\"\n")
  math(EXPR offset "${offset} + 16000")
endwhile()
string(APPEND body "      \"\";\n  return {kText, sizeof kText - 1};\n}\n\n}  // namespace yl::html\n")
file(WRITE "${OUT}" "${body}")
