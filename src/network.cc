// Allow-list parsing and address matching.
#include "network.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace bvisor {
namespace {

bool ParsePorts(const std::string& s, uint16_t* lo, uint16_t* hi) {
  size_t dash = s.find('-');
  auto number = [](const std::string& t, uint16_t* v) {
    if (t.empty() || t.size() > 5 || t.find_first_not_of("0123456789") != std::string::npos) return false;
    unsigned long n = std::stoul(t);
    if (n > 65535) return false;
    *v = static_cast<uint16_t>(n);
    return true;
  };
  if (dash == std::string::npos) {
    if (!number(s, lo)) return false;
    *hi = *lo;
    return true;
  }
  return number(s.substr(0, dash), lo) && number(s.substr(dash + 1), hi) && *lo <= *hi;
}

bool PrefixMatch(const uint8_t* a, const uint8_t* b, int bits) {
  int whole = bits / 8;
  if (std::memcmp(a, b, static_cast<size_t>(whole)) != 0) return false;
  int rest = bits % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

// Family, address bytes and port of a socket address (IPv4-mapped IPv6 seen as IPv4).
bool Decode(const sockaddr* addr, socklen_t len, int* family, uint8_t bytes[16], uint16_t* port) {
  if (addr->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
    auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    *family = AF_INET;
    std::memcpy(bytes, &in->sin_addr, 4);
    *port = ntohs(in->sin_port);
    return true;
  }
  if (addr->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    *port = ntohs(in6->sin6_port);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      *family = AF_INET;
      std::memcpy(bytes, in6->sin6_addr.s6_addr + 12, 4);
    } else {
      *family = AF_INET6;
      std::memcpy(bytes, in6->sin6_addr.s6_addr, 16);
    }
    return true;
  }
  return false;
}

}  // namespace

bool NetworkRules::ParseEntry(const std::string& entry, std::vector<IpRange>* out, std::vector<std::string>* hosts,
                              std::string* error) {
  std::string host = entry, ports;
  if (!entry.empty() && entry[0] == '[') {  // [v6]:port
    size_t close = entry.find(']');
    if (close == std::string::npos) return *error = "unterminated [", false;
    host = entry.substr(1, close - 1);
    if (close + 1 < entry.size()) {
      if (entry[close + 1] != ':') return *error = "expected :PORT after ]", false;
      ports = entry.substr(close + 2);
    }
  } else if (std::count(entry.begin(), entry.end(), ':') == 1) {  // host:port or v4/n:port
    host = entry.substr(0, entry.find(':'));
    ports = entry.substr(entry.find(':') + 1);
  }
  uint16_t lo = 0, hi = 65535;
  if (!ports.empty() && !ParsePorts(ports, &lo, &hi)) return *error = "bad port or port range \"" + ports + "\"", false;
  int prefix = -1;
  if (size_t slash = host.find('/'); slash != std::string::npos) {
    std::string bits = host.substr(slash + 1);
    if (bits.empty() || bits.find_first_not_of("0123456789") != std::string::npos) return *error = "bad prefix length", false;
    prefix = std::stoi(bits);
    host = host.substr(0, slash);
  }
  IpRange r{};
  r.port_lo = lo;
  r.port_hi = hi;
  if (inet_pton(AF_INET, host.c_str(), r.addr) == 1) {
    r.family = AF_INET;
    r.prefix_len = prefix < 0 ? 32 : prefix;
    if (r.prefix_len > 32) return *error = "prefix longer than 32", false;
    out->push_back(r);
    return true;
  }
  if (inet_pton(AF_INET6, host.c_str(), r.addr) == 1) {
    r.family = AF_INET6;
    r.prefix_len = prefix < 0 ? 128 : prefix;
    if (r.prefix_len > 128) return *error = "prefix longer than 128", false;
    out->push_back(r);
    return true;
  }
  if (prefix >= 0) return *error = "a prefix needs an IP address", false;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res); rc != 0) {
    return *error = "cannot resolve \"" + host + "\": " + gai_strerror(rc), false;
  }
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    IpRange a = r;
    int port = 0;
    uint16_t unused;
    if (!Decode(ai->ai_addr, ai->ai_addrlen, &a.family, a.addr, &unused)) continue;
    a.prefix_len = a.family == AF_INET ? 32 : 128;
    out->push_back(a);
    hosts->push_back(AddressString(ai->ai_addr, ai->ai_addrlen, &port) + " " + host);
  }
  freeaddrinfo(res);
  return true;
}

NetworkRules NetworkRules::Build(const NetworkPolicy& policy, std::vector<std::string>* resolved_hosts) {
  NetworkRules rules;
  rules.mode_ = policy.mode;
  for (size_t i = 0; i < policy.allow.size(); ++i) {
    std::string error;
    if (!ParseEntry(policy.allow[i], &rules.allow_, resolved_hosts, &error)) {
      throw std::invalid_argument("network.allow[" + std::to_string(i) + "] \"" + policy.allow[i] + "\": " + error);
    }
  }
  return rules;
}

bool IsLoopback(const sockaddr* addr, socklen_t len) {
  int family;
  uint8_t bytes[16];
  uint16_t port;
  if (!Decode(addr, len, &family, bytes, &port)) return false;
  if (family == AF_INET) return bytes[0] == 127;
  static const uint8_t kV6Loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return std::memcmp(bytes, kV6Loopback, 16) == 0;
}

bool NetworkRules::AllowsConnect(const sockaddr* addr, socklen_t len) const {
  switch (mode_) {
    case NetworkMode::kNone: return false;
    case NetworkMode::kHost: return true;
    case NetworkMode::kLoopback: return IsLoopback(addr, len);
    case NetworkMode::kAllow: break;
  }
  if (IsLoopback(addr, len)) return true;
  int family;
  uint8_t bytes[16];
  uint16_t port;
  if (!Decode(addr, len, &family, bytes, &port)) return false;
  for (const IpRange& r : allow_) {
    if (r.family == family && PrefixMatch(bytes, r.addr, r.prefix_len) && port >= r.port_lo && port <= r.port_hi) {
      return true;
    }
  }
  return false;
}

std::string AddressString(const sockaddr* addr, socklen_t len, int* port) {
  int family;
  uint8_t bytes[16];
  uint16_t p = 0;
  *port = 0;
  if (!Decode(addr, len, &family, bytes, &p)) return "?";
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family, bytes, buf, sizeof(buf));
  *port = p;
  return buf;
}

}  // namespace bvisor
