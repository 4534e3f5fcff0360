// Lexical path helpers.
#include "path.h"

namespace bvisor {

std::vector<std::string_view> SplitComponents(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = i;
    while (j < path.size() && path[j] != '/') ++j;
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string NormaliseLexically(std::string_view path) {
  std::vector<std::string_view> stack;
  for (std::string_view c : SplitComponents(path)) {
    if (c == ".") continue;
    if (c == "..") {
      if (!stack.empty()) stack.pop_back();
      continue;
    }
    stack.push_back(c);
  }
  std::string out;
  for (std::string_view c : stack) {
    out += '/';
    out += c;
  }
  return out.empty() ? "/" : out;
}

std::string JoinPath(std::string_view base, std::string_view rel) {
  if (!rel.empty() && rel[0] == '/') return std::string(rel);
  std::string out(base);
  if (out.empty() || out.back() != '/') out += '/';
  out += rel;
  return out;
}

bool PathIsUnder(std::string_view path, std::string_view prefix) {
  if (prefix == "/") return !path.empty() && path[0] == '/';
  if (path.size() < prefix.size() || path.substr(0, prefix.size()) != prefix) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

std::string_view PathBelow(std::string_view path, std::string_view prefix) {
  if (prefix == "/") return path.size() > 1 ? path.substr(1) : std::string_view();
  if (path.size() == prefix.size()) return {};
  return path.substr(prefix.size() + 1);
}

std::string_view ParentPath(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return path;
  return path.substr(slash + 1);
}

}  // namespace bvisor
