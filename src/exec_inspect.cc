// Shebang and PT_INTERP parsing.
#include "exec_inspect.h"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "unique_fd.h"

namespace bvisor {

bool ParseShebang(const std::string& real, Shebang& out) {
  UniqueFd fd(open(real.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd) return false;
  char buf[256];
  ssize_t n = read(fd.Get(), buf, sizeof(buf) - 1);
  if (n < 2 || buf[0] != '#' || buf[1] != '!') return false;
  buf[n] = '\0';
  std::string line(buf + 2, static_cast<size_t>(n - 2));
  line = line.substr(0, line.find('\n'));
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  size_t i = 0;
  while (i < line.size() && blank(line[i])) ++i;
  size_t j = i;
  while (j < line.size() && !blank(line[j])) ++j;
  out.interpreter = line.substr(i, j - i);
  while (j < line.size() && blank(line[j])) ++j;
  out.arg = line.substr(j);
  while (!out.arg.empty() && blank(out.arg.back())) out.arg.pop_back();
  return !out.interpreter.empty();
}

std::string ElfInterpreter(const std::string& real) {
  UniqueFd fd(open(real.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd) return "";
  Elf64_Ehdr eh;
  if (pread(fd.Get(), &eh, sizeof(eh), 0) != static_cast<ssize_t>(sizeof(eh))) return "";
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64) return "";
  if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 256) return "";
  for (int i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    off_t at = static_cast<off_t>(eh.e_phoff + static_cast<uint64_t>(i) * sizeof(ph));
    if (pread(fd.Get(), &ph, sizeof(ph), at) != static_cast<ssize_t>(sizeof(ph))) return "";
    if (ph.p_type != PT_INTERP || ph.p_filesz == 0 || ph.p_filesz > 4096) continue;
    std::string path(ph.p_filesz, '\0');
    if (pread(fd.Get(), path.data(), ph.p_filesz, static_cast<off_t>(ph.p_offset)) !=
        static_cast<ssize_t>(ph.p_filesz)) {
      return "";
    }
    path.resize(std::strlen(path.c_str()));
    return path;
  }
  return "";
}

}  // namespace bvisor
