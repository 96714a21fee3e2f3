#include "engine/input/removed_on_signal.h"

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>

#include <signal.h>
#include <unistd.h>

#include "engine/core/assert.h"

namespace yl {
namespace {

constexpr std::size_t kPathBytes = 4096;

// A path a fatal signal removes. The handler may interrupt any thread at any point, and another
// thread may be changing a slot meanwhile, so a slot is read as a seqlock: `version` is odd while
// the slot changes, and the handler acts on its copy of a slot only when the version was even and
// the same before and after the copy. A slot is claimed (`taken`) before it is changed.
struct Slot {
  std::atomic<bool> taken{false};
  std::atomic<unsigned> version{0};
  std::atomic<bool> active{false};
  std::atomic<RemovedOnSignal::Kind> kind{RemovedOnSignal::Kind::file};
  std::atomic<unsigned> levels{1};  // a folder's: it and levels - 1 parents
  std::array<std::atomic<char>, kPathBytes> path{};
};
static_assert(std::atomic<unsigned>::is_always_lock_free && std::atomic<char>::is_always_lock_free);

// The one process-wide list (signals are process-wide): what each live RemovedOnSignal names.
std::array<Slot, 64> slots;

void write_slot(Slot& slot, const std::string& path, RemovedOnSignal::Kind kind, unsigned levels,
                bool active) {
  slot.version.fetch_add(1);                            // odd: changing
  std::atomic_thread_fence(std::memory_order_release);  // before the stores below, for the reader
  for (std::size_t i = 0; i <= path.size(); ++i) {
    slot.path[i].store(path.c_str()[i], std::memory_order_relaxed);
  }
  slot.kind.store(kind, std::memory_order_relaxed);
  slot.levels.store(levels, std::memory_order_relaxed);
  slot.active.store(active, std::memory_order_relaxed);
  slot.version.fetch_add(1);  // even: whole
}

// What a slot names, copied whole into `path` (false: nothing, or the slot was changing).
bool read_slot(const Slot& slot, std::array<char, kPathBytes + 16>& path,
               RemovedOnSignal::Kind* kind, unsigned* levels) {
  const unsigned before = slot.version.load();
  if (before % 2 != 0 || !slot.active.load()) return false;
  bool ended = false;
  for (std::size_t i = 0; i < kPathBytes && !ended; ++i) {
    path[i] = slot.path[i].load(std::memory_order_relaxed);
    ended = path[i] == '\0';
  }
  *kind = slot.kind.load(std::memory_order_relaxed);
  *levels = slot.levels.load(std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_acquire);  // the copy before the second look
  return ended && slot.version.load() == before;
}

// Only async-signal-safe calls: unlink, rmdir, sigaction, raise, and copying bytes.
extern "C" void remove_and_end(int signal) {
  std::array<char, kPathBytes + 16> path{};
  RemovedOnSignal::Kind kind{};
  unsigned levels = 0;
  for (const Slot& slot : slots) {
    if (!read_slot(slot, path, &kind, &levels) || kind == RemovedOnSignal::Kind::folder) continue;
    ::unlink(path.data());
    if (kind != RemovedOnSignal::Kind::database) continue;
    const std::size_t length = std::strlen(path.data());
    for (const char* suffix : {"-wal", "-shm", "-journal"}) {
      std::memcpy(path.data() + length, suffix, std::strlen(suffix) + 1);
      ::unlink(path.data());
    }
  }
  // Folders after the files in them, each chain from its innermost: each pass removes those left
  // empty (one already gone is passed over to its parent).
  for (bool removed = true; removed;) {
    removed = false;
    for (const Slot& slot : slots) {
      if (!read_slot(slot, path, &kind, &levels) || kind != RemovedOnSignal::Kind::folder) continue;
      for (unsigned level = 0; level < levels; ++level) {
        if (::rmdir(path.data()) == 0) {
          removed = true;
        } else if (errno != ENOENT) {
          break;  // not empty: its parents are not either
        }
        char* slash = std::strrchr(path.data(), '/');
        if (slash == nullptr || slash == path.data()) break;
        *slash = '\0';
      }
    }
  }
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  ::sigaction(signal, &default_action, nullptr);
  ::raise(signal);  // blocked until this handler returns, then the default action ends the process
}

void release(int slot) {
  if (slot < 0) return;
  Slot& s = slots[static_cast<std::size_t>(slot)];
  write_slot(s, "", RemovedOnSignal::Kind::file, 1, false);
  s.taken.store(false);
}

}  // namespace

void remove_on_fatal_signals() {
  struct sigaction action {};
  action.sa_handler = remove_and_end;
  sigemptyset(&action.sa_mask);
  for (const int signal : kFatalSignals) sigaddset(&action.sa_mask, signal);  // one at a time
  for (const int signal : kFatalSignals) {
    struct sigaction before {};
    if (::sigaction(signal, nullptr, &before) != 0 || before.sa_handler == SIG_IGN) continue;
    const int failed = ::sigaction(signal, &action, nullptr);
    YL_ASSERT(failed == 0);
  }
}

RemovedOnSignal::RemovedOnSignal(const std::filesystem::path& path, Kind kind, unsigned levels) {
  std::error_code ec;
  // Absolute, as the handler cannot ask where a relative one was.
  const std::string whole = std::filesystem::absolute(path, ec).native();
  if (ec || whole.empty() || whole.size() >= kPathBytes) return;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    if (slots[i].taken.exchange(true)) continue;
    write_slot(slots[i], whole, kind, levels, true);
    slot_ = static_cast<int>(i);
    return;
  }
}

RemovedOnSignal::~RemovedOnSignal() { release(slot_); }

RemovedOnSignal& RemovedOnSignal::operator=(RemovedOnSignal&& other) noexcept {
  if (this != &other) {
    release(slot_);
    slot_ = other.slot_;
    other.slot_ = -1;
  }
  return *this;
}

}  // namespace yl
