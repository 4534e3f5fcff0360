// Reads and writes another process's memory with process_vm_readv/writev, page by page so that
// a string ending just before an unmapped page is still read.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "errno_or.h"

namespace bvisor {

// A NUL-terminated string of at most `max_len` bytes (without the NUL): EFAULT on a bad
// pointer, ENAMETOOLONG when no NUL is found in time.
ErrnoOr<std::string> ReadTraceeString(pid_t tid, uint64_t addr, size_t max_len);

// Exactly `len` bytes or EFAULT.
int ReadTraceeMemory(pid_t tid, uint64_t addr, void* out, size_t len);
int WriteTraceeMemory(pid_t tid, uint64_t addr, const void* data, size_t len);

}  // namespace bvisor
