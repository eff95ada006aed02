#pragma once
// The HTTP messages one worker is parsing come from here and go back here once handed on, so a
// message's strings are allocated once per worker, not once per message. Requests and responses
// are kept apart: a response drawn from the pool then carries a response's capacity, not a
// request's on top of it (every flow waiting for its response holds one; with one list the
// open HTTP flows of bench/flow_memory.py took 266 MiB per 100k instead of 241). The contexts
// of queued messages (UninspectedHttpContext) and the worker's byte buffers (ByteBufferPool)
// are kept here too.

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "common/FreeList.hpp"
#include "common/ByteBufferPool.hpp"
#include "sensor/app/HttpParser.hpp"

namespace gsoc::sensor {

class HttpMessagePool {
 public:
  // Messages kept for reuse at most, of each kind (past that, given messages are freed, counted).
  explicit HttpMessagePool(std::size_t cap_per_kind)
      : requests_(cap_per_kind), responses_(cap_per_kind), contexts_(cap_per_kind) {}

  // A cleared message of the kind (request or response), recycled when one is free.
  std::unique_ptr<HttpMessage> take(bool request) {
    auto message = (request ? requests_ : responses_).take([] { return std::make_unique<HttpMessage>(); });
    message->request = request;
    return message;
  }
  // Clears `message` (keeping its strings' capacity, see HttpMessage::clear) and keeps it.
  void give(std::unique_ptr<HttpMessage> message) {
    FreeList<std::unique_ptr<HttpMessage>>& list = message->request ? requests_ : responses_;
    if (message->body.capacity() > HttpMessage::kKeepBytes) {
      // A large body goes to its own list, and the message gets back a small one (the one it
      // gave for it in growBody, or another): messages stay small while they wait.
      std::string large = std::move(message->body);
      message->body = small_bodies_.take([] { return std::string(); });
      large_bodies_.give(std::move(large));
    }
    message->clear();
    list.give(std::move(message));
  }

  // Before `body` (a message's from this pool) grows to `needed`. Past HttpMessage::kKeepBytes
  // it becomes a large body from the large bodies' classes (its small string waits for
  // give()); a large one moves up a class, giving its old buffer back. Nothing grows by
  // doubling.
  void growBody(std::string& body, std::size_t needed) {
    if (body.capacity() > HttpMessage::kKeepBytes) return large_bodies_.reserve(body, needed);
    std::string large = large_bodies_.takeFor(needed);
    large.assign(body);
    body.clear();
    small_bodies_.give(std::exchange(body, std::move(large)));
  }

  // A queued message's context (HttpState::contextOf), recycled when one is free; given back
  // as it is (its fields are written whole before they are read).
  std::unique_ptr<UninspectedHttpContext> takeContext() {
    return contexts_.take([] { return std::make_unique<UninspectedHttpContext>(); });
  }
  void giveContext(std::unique_ptr<UninspectedHttpContext> context) { contexts_.give(std::move(context)); }

  // The worker's byte buffers (an HTTP side's unparsed bytes, AckedBytes of any protocol).
  ByteBufferPool& buffers() { return buffers_; }
  [[nodiscard]] const ByteBufferPool& buffers() const { return buffers_; }

  [[nodiscard]] std::size_t size() const { return requests_.size() + responses_.size(); }
  // The large bodies' classes (http_bodies_large, http_bodies_large_1k, ... _128k; only _64k and
  // _128k keep any).
  void addBodyPools(PoolTable& table) const { large_bodies_.addPools(table, "http_bodies_large"); }
  // Both kinds together.
  [[nodiscard]] FreeListCounters counters() const {
    FreeListCounters both = requests_.counters();
    both.merge(responses_.counters());
    return both;
  }

 private:
  FreeList<std::unique_ptr<HttpMessage>> requests_;
  FreeList<std::unique_ptr<HttpMessage>> responses_;
  FreeList<std::unique_ptr<UninspectedHttpContext>> contexts_;
  // Bodies past HttpMessage::kKeepBytes in capacity classes, from 64 KiB (384 kept: 24 MiB) and
  // 128 KiB up to ByteBufferPool::kMaxKeptBytes (64 kept: up to 16 MiB; kMaxBodyBytes is 256
  // KiB, an inflated body past that is freed), and the small strings they replaced (up to 4
  // MiB). On the uplink profile 286 and 31 are in use at once; kept buffers are the peak's.
  ByteBufferPool large_bodies_{ByteBufferPool::Kept{0, 0, 0, 384, 64}};
  FreeList<std::string> small_bodies_{1024};
  // About 8 MiB kept at most: 1024 small and 1024 of 1 KiB, 512 of 4 KiB, 32 of 64 KiB and 16 of
  // 128 KiB (bulk responses held until their ACK).
  ByteBufferPool buffers_{ByteBufferPool::Kept{1024, 1024, 512, 32, 16}};
};

}  // namespace gsoc::sensor
