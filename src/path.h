// Lexical path helpers: joining, splitting and prefix tests on absolute paths, no filesystem access.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bvisor {

// Collapses "//", "." and ".." without looking at the filesystem. Only for paths
// that contain no symlinks (policy prefixes, already-resolved paths).
std::string NormaliseLexically(std::string_view path);

// base + "/" + rel, or rel when rel is absolute. Does not normalise.
std::string JoinPath(std::string_view base, std::string_view rel);

// True when `path` equals `prefix` or lies below it ("/a/b" is under "/a", "/ab" is not).
bool PathIsUnder(std::string_view path, std::string_view prefix);

// The part of `path` below `prefix` ("" when equal). Requires PathIsUnder.
std::string_view PathBelow(std::string_view path, std::string_view prefix);

// "/a/b" -> "/a"; "/" -> "/".
std::string_view ParentPath(std::string_view path);

// "/a/b" -> "b"; "/" -> "".
std::string_view BaseName(std::string_view path);

// Non-empty components of a path, "." and ".." kept.
std::vector<std::string_view> SplitComponents(std::string_view path);

}  // namespace bvisor
