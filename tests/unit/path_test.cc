// Lexical path helpers.
#include <doctest/doctest.h>

#include "path.h"

namespace bvisor {

TEST_CASE("path: lexical normalisation") {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {
      {"/", "/"},          {"//", "/"},          {"/a/./b", "/a/b"},   {"/a/b/../c", "/a/c"},
      {"/../..", "/"},     {"/a//b///c/", "/a/b/c"}, {"/a/b/..", "/a"}, {"/./", "/"},
      {"/a/../../b", "/b"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.in);
    CHECK(NormaliseLexically(c.in) == c.out);
  }
}

TEST_CASE("path: prefix tests respect component boundaries") {
  CHECK(PathIsUnder("/a/b", "/a"));
  CHECK(PathIsUnder("/a", "/a"));
  CHECK_FALSE(PathIsUnder("/ab", "/a"));
  CHECK(PathIsUnder("/x", "/"));
  CHECK(PathBelow("/a/b/c", "/a") == "b/c");
  CHECK(PathBelow("/a", "/a").empty());
  CHECK(PathBelow("/a", "/") == "a");
}

TEST_CASE("path: parent, base name and join") {
  CHECK(ParentPath("/a/b") == "/a");
  CHECK(ParentPath("/a") == "/");
  CHECK(ParentPath("/") == "/");
  CHECK(BaseName("/a/b") == "b");
  CHECK(JoinPath("/a", "b") == "/a/b");
  CHECK(JoinPath("/a/", "b") == "/a/b");
  CHECK(JoinPath("/a", "/b") == "/b");
  auto parts = SplitComponents("//a/./b/");
  REQUIRE(parts.size() == 3);
  CHECK(parts[0] == "a");
  CHECK(parts[1] == ".");
  CHECK(parts[2] == "b");
}

}  // namespace bvisor
