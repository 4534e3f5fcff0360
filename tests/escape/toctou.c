// TOCTOU: a path (or socket address) buffer flips between an allowed target and a hidden or
// protected one while the main thread issues the syscall thousands of times. The flipper is a
// second thread ("thread") or a second process sharing the page through MAP_SHARED ("shared").
// Success for the attacker: one byte of the secret, one byte written to the host, one hidden
// program run, one connection to the host daemon.
//   toctou OP MODE    OP: open open_dir open_fifo open_write open_creat stat rename unlink truncate execve execve_hidden chdir connect bind
#include "escape.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

struct flip {
  volatile int stop;
  size_t len;        // both variants padded to this length (NUL included)
  size_t offset;     // where the variable part sits in `buf`
  char a[256], b[256];
  char buf[512];     // what the syscall is given (sockaddr_un for connect/bind)
};

static struct flip *F;

static void *flipper(void *arg) {
  (void)arg;
  while (!F->stop) {
    memcpy(F->buf + F->offset, F->a, F->len);
    memcpy(F->buf + F->offset, F->b, F->len);
  }
  return NULL;
}

// Pads two absolute paths to one length by doubling the first slash ("/x" == "//x").
static void set_pair(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b), len = la > lb ? la : lb;
  if (len + 1 > sizeof(F->a)) finish(SETUP_ERROR, "paths too long");
  memset(F->a, '/', len - la);
  strcpy(F->a + (len - la), a);
  memset(F->b, '/', len - lb);
  strcpy(F->b + (len - lb), b);
  F->len = len + 1;
  memcpy(F->buf + F->offset, F->a, F->len);
}

static pid_t flip_pid;
static pthread_t flip_thread;

static void start_flipper(int shared) {
  F->stop = 0;
  if (shared) {
    flip_pid = fork();
    if (flip_pid < 0) finish(SETUP_ERROR, "fork: %s", strerror(errno));
    if (flip_pid == 0) {
      flipper(NULL);
      _exit(0);
    }
  } else if (pthread_create(&flip_thread, NULL, flipper, NULL) != 0) {
    finish(SETUP_ERROR, "pthread_create failed");
  }
}

static void stop_flipper(int shared) {
  F->stop = 1;
  if (shared) {
    kill(flip_pid, SIGKILL);
    waitpid(flip_pid, NULL, 0);
  } else {
    pthread_join(flip_thread, NULL);
  }
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *path(void) { return F->buf; }

static int run_open(void) {
  long ok = 0, leaks = 0;
  for (int i = 0; i < 20000; ++i) {
    int fd = open(path(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ++ok;
    if (leak_fd(fd, "open race")) ++leaks;
    close(fd);
  }
  note("20000 opens, %ld succeeded (allowed file)", ok);
  return leaks > 0;
}

// The flip goes to the hidden directory: an fd on it would list the hidden names (getdents is
// not mediated), so no open may ever return a directory.
static int run_open_dir(void) {
  long ok = 0, leaks = 0;
  for (int i = 0; i < 20000; ++i) {
    int fd = open(path(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ++ok;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      char buf[4096];
      long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
      note("an open returned the hidden directory (getdents: %ld bytes)", n);
      ++leaks;
    }
    close(fd);
  }
  note("20000 opens, %ld succeeded (allowed file)", ok);
  return leaks > 0;
}

// Write opens flip between /dev/null (an rw device: the kernel may open it itself) and a host
// file or a new host name in a copy-on-write area. The host side is checked by run.sh.
static int run_open_write(int flags) {
  long ok = 0;
  for (int i = 0; i < 20000; ++i) {
    int fd = open(path(), flags | O_CLOEXEC, 0644);
    if (fd < 0) continue;
    ++ok;
    if (write(fd, "TOCTOU-WRITE\n", 13) < 0) {}
    close(fd);
  }
  note("20000 opens, %ld succeeded", ok);
  return 0;
}

static int run_stat(void) {
  ino_t hidden = (ino_t)strtoull(fx("ESC_HIDDEN_INO"), NULL, 10);
  long ok = 0, hits = 0;
  for (int i = 0; i < 20000; ++i) {
    struct stat st;
    if (stat(path(), &st) != 0) continue;
    ++ok;
    if (st.st_ino == hidden) ++hits;
  }
  note("20000 stats, %ld succeeded, %ld described the hidden file", ok, hits);
  return hits > 0;
}

static int run_rename(const char *work) {
  char stolen[512], allowed[512];
  snprintf(stolen, sizeof(stolen), "%s/toctou-stolen", work);
  snprintf(allowed, sizeof(allowed), "%s", F->a + strspn(F->a, "/") - 1);
  long moved = 0, leaks = 0;
  for (int i = 0; i < 5000; ++i) {
    if (rename(path(), stolen) != 0) continue;
    ++moved;
    if (leak_path(stolen, O_RDONLY, "rename race")) ++leaks;
    rename(stolen, allowed);  // put the decoy back for the next round
  }
  note("5000 renames, %ld moved a file", moved);
  return leaks > 0;
}

static int run_unlink_truncate(int truncate_it) {
  const char *decoy = F->a + strspn(F->a, "/") - 1;
  long done = 0;
  for (int i = 0; i < 5000; ++i) {
    int fd = open(decoy, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);  // the decoy lives in the overlay
    if (fd >= 0) {
      if (write(fd, "decoy\n", 6) < 0) {
      }
      close(fd);
    }
    if ((truncate_it ? truncate(path(), 0) : unlink(path())) == 0) ++done;
  }
  note("5000 %s calls, %ld succeeded (the host side is checked by run.sh)", truncate_it ? "truncate" : "unlink",
       done);
  return 0;
}

// execve: each attempt forks; the child races until one exec succeeds. Its output comes back
// through a pipe: the hidden helper prints the secret when it runs.
static int run_execve(int shared, double seconds) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) finish(SETUP_ERROR, "pipe");
  fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
  long attempts = 0, eacces = 0;
  int leaked = 0;
  char out[4096];
  double end = now() + seconds;
  if (shared) start_flipper(1);
  while (now() < end && attempts < 4000 && !leaked) {
    pid_t pid = fork();
    if (pid < 0) break;
    if (pid == 0) {
      dup2(pipefd[1], 1);
      if (!shared) start_flipper(0);
      char *argv[] = {(char *)"toctou-exec", NULL};
      char *envp[] = {NULL};
      int refused = 0;
      for (int i = 0; i < 200; ++i) {
        execve(path(), argv, envp);
        if (errno == EACCES) ++refused;
      }
      _exit(refused > 0 ? 100 : 101);
    }
    int status;
    waitpid(pid, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 100) ++eacces;
    attempts++;
    ssize_t n;
    while ((n = read(pipefd[0], out, sizeof(out) - 1)) > 0) {
      if (has_secret(out, (size_t)n)) {
        out[n] = '\0';
        printf("LEAK via execve race: %.80s\n", (char *)memmem(out, (size_t)n, SECRET_PREFIX, strlen(SECRET_PREFIX)));
        leaked = 1;
      }
    }
  }
  if (shared) stop_flipper(1);
  note("%ld children raced execve", attempts);
  if (eacces > 0) note("%ld children got EACCES: the kernel reached the hidden, non-executable file", eacces);
  return leaked;
}

static int run_chdir(void) {
  int home = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  long entered = 0, leaks = 0, ok = 0;
  for (int i = 0; i < 5000; ++i) {
    if (chdir(path()) != 0) continue;
    ++ok;
    char cwd[4096];
    if (getcwd(cwd, sizeof(cwd)) != NULL && strstr(cwd, "/.ssh") != NULL) {
      ++entered;
      if (leak_path("id_rsa", O_RDONLY, "chdir race + relative open")) ++leaks;
      if (leak_path("./id_rsa", O_RDONLY, "chdir race + ./")) ++leaks;
      if (leak_path("/proc/self/cwd/id_rsa", O_RDONLY, "chdir race + /proc/self/cwd")) ++leaks;
    }
    if (fchdir(home) != 0) finish(SETUP_ERROR, "fchdir back");
  }
  note("5000 chdirs, %ld succeeded, %ld left the cwd inside the hidden directory", ok, entered);
  return leaks > 0;
}

static int run_connect(const char *own) {
  // Our own listener is the allowed target.
  int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strcpy(addr.sun_path, own);
  if (listener < 0 || bind(listener, (void *)&addr, sizeof(addr)) != 0 || listen(listener, 4096) != 0)
    finish(SETUP_ERROR, "own listener: %s", strerror(errno));
  long ok = 0, hello = 0;
  for (int i = 0; i < 3000; ++i) {
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s < 0) continue;
    if (connect(s, (struct sockaddr *)F->buf, sizeof(struct sockaddr_un)) == 0) {
      ++ok;
      if (send(s, "TOCTOU-CONNECT\n", 15, MSG_NOSIGNAL) < 0) {
      }
      struct pollfd p = {s, POLLIN, 0};
      char buf[64];
      if (poll(&p, 1, 0) > 0 && recv(s, buf, sizeof(buf), 0) > 0 && memcmp(buf, "DAEMON-HELLO", 12) == 0) ++hello;
      int c = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (c >= 0) close(c);
    }
    close(s);
  }
  note("3000 connects, %ld succeeded, %ld answered by the host daemon", ok, hello);
  return hello > 0;
}

static int run_bind(const char *own, const char *evil) {
  long ok = 0;
  for (int i = 0; i < 3000; ++i) {
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) continue;
    if (bind(s, (struct sockaddr *)F->buf, sizeof(struct sockaddr_un)) == 0) ++ok;
    close(s);
    unlink(own);
  }
  struct stat st;
  int landed = lstat(evil, &st) == 0;
  note("3000 binds, %ld succeeded%s (the host side is checked by run.sh)", ok,
       landed ? ", one created a socket visible in the hidden directory" : "");
  return landed;
}

int main(int argc, char **argv) {
  if (argc != 3) finish(SETUP_ERROR, "usage: toctou OP thread|shared");
  const char *op = argv[1];
  int shared = strcmp(argv[2], "shared") == 0;
  F = mmap(NULL, sizeof(*F), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (F == MAP_FAILED) finish(SETUP_ERROR, "mmap");
  memset(F, 0, sizeof(*F));
  const char *hidden = fx("ESC_HIDDEN_FILE");
  const char *work = fx("ESC_WORK");
  char decoy[512];
  snprintf(decoy, sizeof(decoy), "%s/toctou-decoy", work);

  int escaped = 0;
  if (strcmp(op, "connect") == 0 || strcmp(op, "bind") == 0) {
    // The flip happens inside sun_path of a sockaddr_un.
    ((struct sockaddr_un *)F->buf)->sun_family = AF_UNIX;
    F->offset = offsetof(struct sockaddr_un, sun_path);
    char evil[512];
    snprintf(evil, sizeof(evil), "%s", hidden);
    snprintf(strrchr(evil, '/'), 32, "/toctou-evil.sock");  // inside the hidden ~/.ssh
    const char *own = "/tmp/toctou-own.sock";
    if (strcmp(op, "connect") == 0) {
      set_pair(own, fx("ESC_DAEMON_SOCK"));
      start_flipper(shared);
      escaped = run_connect(own);
    } else {
      set_pair(own, evil);
      start_flipper(shared);
      escaped = run_bind(own, evil);
    }
    stop_flipper(shared);
  } else if (strcmp(op, "execve") == 0 || strcmp(op, "execve_hidden") == 0) {
    set_pair(fx("ESC_NOP"), strcmp(op, "execve") == 0 ? hidden : fx("ESC_HELPER"));
    escaped = run_execve(shared, 4.0);
  } else {
    if (strcmp(op, "chdir") == 0) {
      char dir[512];
      snprintf(dir, sizeof(dir), "%s", hidden);
      *strrchr(dir, '/') = '\0';  // ~/.ssh
      set_pair(fx("ESC_FIX"), dir);
    } else if (strcmp(op, "open") == 0 || strcmp(op, "stat") == 0) {
      set_pair(fx("ESC_ALLOWED"), hidden);
    } else if (strcmp(op, "open_write") == 0) {
      set_pair("/dev/null", fx("ESC_PROTECTED_FILE"));
    } else if (strcmp(op, "open_creat") == 0) {
      char fresh[512];
      snprintf(fresh, sizeof(fresh), "%s/toctou-created", fx("ESC_PROTECTED"));
      set_pair("/dev/null", fresh);
    } else if (strcmp(op, "open_fifo") == 0) {
      set_pair(fx("ESC_ALLOWED"), fx("ESC_FEED_FIFO"));  // a host writer feeds it the secret
    } else if (strcmp(op, "open_dir") == 0) {
      char dir[512];
      snprintf(dir, sizeof(dir), "%s", hidden);
      *strrchr(dir, '/') = '\0';  // ~/.ssh
      set_pair(fx("ESC_ALLOWED"), dir);
    } else {
      set_pair(decoy, hidden);
      int fd = open(decoy, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      if (fd >= 0) close(fd);
    }
    start_flipper(shared);
    if (strcmp(op, "open") == 0 || strcmp(op, "open_fifo") == 0) escaped = run_open();
    else if (strcmp(op, "open_dir") == 0) escaped = run_open_dir();
    else if (strcmp(op, "open_write") == 0) escaped = run_open_write(O_WRONLY | O_TRUNC);
    else if (strcmp(op, "open_creat") == 0) escaped = run_open_write(O_WRONLY | O_CREAT | O_APPEND);
    else if (strcmp(op, "stat") == 0) escaped = run_stat();
    else if (strcmp(op, "rename") == 0) escaped = run_rename(work);
    else if (strcmp(op, "unlink") == 0) escaped = run_unlink_truncate(0);
    else if (strcmp(op, "truncate") == 0) escaped = run_unlink_truncate(1);
    else if (strcmp(op, "chdir") == 0) escaped = run_chdir();
    else finish(SETUP_ERROR, "unknown op %s", op);
    stop_flipper(shared);
  }
  if (!supervisor_alive()) finish(ESCAPED, "the supervisor stopped answering after the race");
  if (escaped) finish(ESCAPED, "%s race reached the protected target", op);
  finish(CONTAINED, "%s race never reached the protected target", op);
}
