// What the kernel will load besides the file named in execve: the interpreter of a "#!" script
// and the ELF program interpreter (PT_INTERP). The kernel opens these itself, unseen by the
// filter, so bvisor checks them against the policy before letting an exec happen.
#pragma once

#include <string>

namespace bvisor {

// The shebang line of a script: interpreter and optional single argument.
struct Shebang {
  std::string interpreter, arg;
};

// True when `real` starts with "#!" and names an interpreter.
bool ParseShebang(const std::string& real, Shebang& out);

// The PT_INTERP path of a 64-bit ELF file, or "" (static binaries, not ELF, unreadable).
std::string ElfInterpreter(const std::string& real);

}  // namespace bvisor
