// The network policy at run time: which IP addresses and ports the sandbox may reach.
// Host names in the allow list are resolved once, when the sandbox starts.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "policy.h"

namespace bvisor {

struct IpRange {
  int family;          // AF_INET or AF_INET6
  uint8_t addr[16];    // network address (first 4 bytes for IPv4)
  int prefix_len;
  uint16_t port_lo, port_hi;  // 0..65535 when any port
};

class NetworkRules {
 public:
  // Throws std::invalid_argument("network.allow[2]: ...") for an entry that does not parse or
  // resolve. `resolved_hosts` receives "ADDRESS NAME" lines for /etc/hosts.
  static NetworkRules Build(const NetworkPolicy& policy, std::vector<std::string>* resolved_hosts);

  NetworkMode Mode() const { return mode_; }
  // Whether connect/sendto to this address is allowed.
  bool AllowsConnect(const sockaddr* addr, socklen_t len) const;
  // Parses a single allow entry (exposed for tests).
  static bool ParseEntry(const std::string& entry, std::vector<IpRange>* out, std::vector<std::string>* hosts,
                         std::string* error);

 private:
  NetworkMode mode_ = NetworkMode::kNone;
  std::vector<IpRange> allow_;
};

bool IsLoopback(const sockaddr* addr, socklen_t len);
// "127.0.0.1" / "::1" and the port, for the report.
std::string AddressString(const sockaddr* addr, socklen_t len, int* port);

}  // namespace bvisor
