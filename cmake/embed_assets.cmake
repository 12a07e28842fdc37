# Turns the files of the built web chat (web/dist) into C++ arrays, so the binary serves the UI
# with no files beside it. Run as: cmake -DSRC=<dir> -DOUT=<file.cpp> -P embed_assets.cmake
# The output is rewritten only when it changes, so an unchanged UI causes no recompilation.
file(GLOB_RECURSE files RELATIVE ${SRC} ${SRC}/*)
list(SORT files)
set(body "")
set(table "")
set(i 0)
foreach(f ${files})
  file(READ ${SRC}/${f} hex HEX)
  string(LENGTH "${hex}" n)
  math(EXPR size "${n} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND body "const unsigned char asset_${i}[] = {${bytes}0};\n")
  get_filename_component(ext ${f} LAST_EXT)
  set(type "application/octet-stream")
  if(ext STREQUAL ".html")
    set(type "text/html; charset=utf-8")
  elseif(ext STREQUAL ".js")
    set(type "text/javascript; charset=utf-8")
  elseif(ext STREQUAL ".css")
    set(type "text/css; charset=utf-8")
  elseif(ext STREQUAL ".svg")
    set(type "image/svg+xml")
  elseif(ext STREQUAL ".png")
    set(type "image/png")
  elseif(ext STREQUAL ".json")
    set(type "application/json")
  elseif(ext STREQUAL ".webmanifest")
    set(type "application/manifest+json")
  elseif(ext STREQUAL ".txt")
    set(type "text/plain; charset=utf-8")
  elseif(ext STREQUAL ".ico")
    set(type "image/x-icon")
  endif()
  set(immutable false)
  if(f MATCHES "^assets/")
    set(immutable true)  # Vite puts a content hash in these names
  endif()
  string(APPEND table "    {\"/${f}\", \"${type}\", asset_${i}, ${size}, ${immutable}},\n")
  math(EXPR i "${i} + 1")
endforeach()
if(i EQUAL 0)
  set(page "<!doctype html><meta charset=utf-8><title>qwen-edge</title><p>The web chat was not built into this binary. Build it with <code>scripts/build.sh</code> (it needs Node.js 20.19 or newer). The API at <code>/v1/chat/completions</code> works without it.")
  string(HEX "${page}" hex)
  string(LENGTH "${hex}" n)
  math(EXPR size "${n} / 2")
  file(READ ${CMAKE_CURRENT_LIST_FILE} dummy LIMIT 0)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND body "const unsigned char asset_0[] = {${bytes}0};\n")
  string(APPEND table "    {\"/index.html\", \"text/html; charset=utf-8\", asset_0, ${size}, false},\n")
endif()
file(WRITE ${OUT}.tmp "// Generated from the built web chat by cmake/embed_assets.cmake. Do not edit.
#include \"server/static_assets.h\"

namespace qe {
namespace {
${body}
const StaticAsset kAssets[] = {
${table}};
}  // namespace

std::span<const StaticAsset> static_assets() { return kAssets; }

}  // namespace qe
")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
