#!/usr/bin/env bash
# Generates a small C project for the "build" workload of bench/run:
#   gen_project.sh DIR [NFILES]
# DIR gets NFILES (default 48) translation units, one shared header per group of eight,
# a main.c that calls into every unit, and a Makefile (`make -B -j2` rebuilds everything).
# The output is deterministic: same arguments, same files.
set -euo pipefail

dir=${1:?usage: gen_project.sh DIR [NFILES]}
n=${2:-48}
if ! [[ $n =~ ^[0-9]+$ ]] || ((n < 1)); then
  echo "gen_project.sh: NFILES must be a positive integer" >&2
  exit 2
fi

mkdir -p "$dir/src" "$dir/include"
rm -f "$dir"/src/*.c "$dir"/include/*.h "$dir"/*.o "$dir/app"

groups=$(((n + 7) / 8))
for ((g = 0; g < groups; g++)); do
  {
    echo "#pragma once"
    echo "#include <stddef.h>"
    echo "#include <stdint.h>"
    echo "struct group${g}_state { uint64_t acc; char name[32]; double weights[8]; };"
    for ((k = 0; k < 8; k++)); do
      i=$((g * 8 + k))
      ((i < n)) && echo "uint64_t unit${i}_run(struct group${g}_state *s, size_t rounds);"
    done
  } >"$dir/include/group$g.h"
done

for ((i = 0; i < n; i++)); do
  g=$((i / 8))
  # Enough code per unit that the compiler, not process start-up, dominates.
  cat >"$dir/src/unit$i.c" <<EOF
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include "group$g.h"

static uint64_t mix$i(uint64_t x) {
  x ^= x >> 33; x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

static int cmp$i(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

struct table$i { uint64_t keys[64]; char labels[64][16]; };

static void fill$i(struct table$i *t, uint64_t seed) {
  for (int k = 0; k < 64; k++) {
    t->keys[k] = mix$i(seed + (uint64_t)k * $((i + 1))u);
    snprintf(t->labels[k], sizeof t->labels[k], "u$i-%d", k);
  }
  qsort(t->keys, 64, sizeof t->keys[0], cmp$i);
}

static double score$i(const struct group${g}_state *s, const struct table$i *t) {
  double total = 0;
  for (int k = 0; k < 64; k++) total += s->weights[k % 8] * sqrt((double)(t->keys[k] % 1000u));
  return total;
}

uint64_t unit${i}_run(struct group${g}_state *s, size_t rounds) {
  struct table$i *t = malloc(sizeof *t);
  if (t == NULL) return 0;
  for (size_t r = 0; r < rounds; r++) {
    fill$i(t, s->acc + r);
    s->acc += (uint64_t)score$i(s, t);
    if (strlen(t->labels[r % 64]) > sizeof s->name - 1) abort();
    memcpy(s->name, t->labels[r % 64], strlen(t->labels[r % 64]) + 1);
  }
  free(t);
  return s->acc;
}
EOF
done

{
  echo "#include <stdio.h>"
  for ((g = 0; g < groups; g++)); do echo "#include \"group$g.h\""; done
  echo "int main(void) {"
  echo "  uint64_t total = 0;"
  for ((i = 0; i < n; i++)); do
    g=$((i / 8))
    echo "  { struct group${g}_state s = {.acc = $i, .weights = {1, 2, 3, 4, 5, 6, 7, 8}}; total += unit${i}_run(&s, 4); }"
  done
  echo "  printf(\"%llu\\n\", (unsigned long long)total);"
  echo "  return 0;"
  echo "}"
} >"$dir/src/main.c"

cat >"$dir/Makefile" <<'EOF'
CC ?= cc
CFLAGS ?= -O2 -g -Wall -Wextra
CPPFLAGS += -Iinclude
SRCS := $(wildcard src/*.c)
OBJS := $(SRCS:src/%.c=obj/%.o)

app: $(OBJS)
	$(CC) $(CFLAGS) -o $@ $^ -lm

obj/%.o: src/%.c $(wildcard include/*.h) | obj
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

obj:
	mkdir -p obj

clean:
	rm -rf obj app

.PHONY: clean
EOF
