#include "sensor/app/Pop3Parser.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace gsoc::sensor {

using signatures::AnomalyEvent;
using signatures::FlowDirection;

namespace {

// RFC 1939, 2449 (CAPA), 2595 (STLS) and 5034 (AUTH), with the number of arguments each takes.
struct Pop3Command {
  std::string_view name;
  std::uint8_t min_args, max_args;
};
constexpr std::array<Pop3Command, 15> kCommands = {{
    {"USER", 1, 1}, {"PASS", 1, 255}, {"APOP", 2, 2}, {"STAT", 0, 0}, {"LIST", 0, 1},
    {"RETR", 1, 1}, {"DELE", 1, 1},   {"NOOP", 0, 0}, {"RSET", 0, 0}, {"QUIT", 0, 0},
    {"TOP", 2, 2},  {"UIDL", 0, 1},   {"CAPA", 0, 0}, {"STLS", 0, 0}, {"AUTH", 0, 2},
}};

const Pop3Command* findCommand(std::string_view keyword) {
  for (const Pop3Command& c : kCommands) {
    if (keyword.size() == c.name.size() &&
        std::equal(keyword.begin(), keyword.end(), c.name.begin(), [](char a, char b) { return std::toupper(static_cast<unsigned char>(a)) == b; })) {
      return &c;
    }
  }
  return nullptr;
}

// Whether a +OK to `tx`'s command is followed by a body ending in ".".
bool hasBody(const Pop3Transaction& tx) {
  const std::string_view c = tx.command;
  if (c == "CAPA" || c == "RETR" || c == "TOP") return true;
  if (c == "LIST" || c == "UIDL" || c == "AUTH") return tx.args.empty();
  return false;
}

std::string_view stripLineEnd(std::string_view line) {
  if (line.ends_with('\n')) line.remove_suffix(1);
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line;
}

}  // namespace

void Pop3Transaction::clear() {
  has_request = has_response = success = multiline = complete = false;
  command.clear();
  args.clear();
  status.clear();
  header.clear();
  data.clear();
}

bool looksLikePop3(std::span<const std::uint8_t> data, bool to_server, bool pop3_port) {
  const std::string_view d(reinterpret_cast<const char*>(data.data()), data.size());
  if (!to_server) return d.starts_with("+OK") || (pop3_port && d.starts_with("-ERR"));
  if (!pop3_port) return false;
  const std::size_t end = d.find_first_of(" \r\n");
  return end != std::string_view::npos && findCommand(d.substr(0, end)) != nullptr;
}

void Pop3State::reset() {
  for (AckedBytes& p : pending_) p.clear();
  for (auto& tx : open_) spare_.push_back(std::move(tx));
  open_.clear();
  next_tx_id_ = 0;
  sasl_ = start_tls_ = in_body_ = false;
  errors_ = 0;
  events.clear();
}

Pop3Transaction& Pop3State::open() {
  std::unique_ptr<Pop3Transaction> tx;
  if (!spare_.empty()) {
    tx = std::move(spare_.back());
    spare_.pop_back();
  } else {
    tx = std::make_unique<Pop3Transaction>();
  }
  tx->clear();
  tx->tx_id = next_tx_id_++;
  open_.push_back(std::move(tx));
  return *open_.back();
}

void Pop3State::finish(const TransactionSink& sink) {
  // The oldest transaction is answered.
  std::unique_ptr<Pop3Transaction> tx = std::move(open_.front());
  open_.erase(open_.begin());
  tx->complete = true;
  in_body_ = false;
  sink(*tx);
  spare_.push_back(std::move(tx));
}

void Pop3State::parse(FlowDirection dir, const TransactionSink& sink) {
  const bool to_server = dir == FlowDirection::ToServer;
  AckedBytes& bytes = pending(dir);
  while (!start_tls_) {
    const std::string_view d = bytes.ready();
    const std::size_t eol = d.find('\n');
    if (eol == std::string_view::npos) {
      if (d.size() > kMaxLine) {  // a line too long to be POP3: dropped
        events.set(to_server ? AnomalyEvent::Pop3RequestTooLong : AnomalyEvent::Pop3ResponseTooLong);
        ++errors_;
        bytes.consume(d.size());
      }
      break;
    }
    const std::string_view line = stripLineEnd(d.substr(0, eol + 1));
    if (to_server) request(line, sink);
    else response(line, sink);
    bytes.consume(eol + 1);
  }
}

void Pop3State::request(std::string_view line, const TransactionSink& sink) {
  if (open_.size() >= kMaxOpen) {  // a client far ahead of its answers: the oldest given up on
    events.set(AnomalyEvent::Pop3TooManyTransactions);
    finish(sink);
  }
  Pop3Transaction& tx = open();
  tx.has_request = true;
  if (sasl_) {  // SASL data (or "*" to cancel): not logged
    tx.command = "<SASL DATA>";
    return;
  }
  const std::size_t space = line.find(' ');
  const std::string_view keyword = line.substr(0, space);
  const Pop3Command* command = findCommand(keyword);
  tx.command.assign(keyword);
  for (char& c : tx.command) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::size_t count = 0;
  if (space != std::string_view::npos) {
    std::string_view rest = line.substr(space + 1);
    while (!rest.empty()) {
      const std::size_t next = rest.find(' ');
      const std::string_view arg = rest.substr(0, next);
      if (!arg.empty()) {
        tx.args.next().assign(arg);
        ++count;
      }
      if (next == std::string_view::npos) break;
      rest.remove_prefix(next + 1);
    }
  }
  if (command == nullptr) {
    events.set(AnomalyEvent::Pop3UnknownCommand);
  } else if (count < command->min_args || count > command->max_args) {
    events.set(AnomalyEvent::Pop3IncorrectArgumentCount);
  }
}

void Pop3State::response(std::string_view line, const TransactionSink& sink) {
  if (in_body_) {
    Pop3Transaction& tx = *open_.front();
    if (line == ".") {
      finish(sink);
      return;
    }
    if (line.starts_with('.')) line.remove_prefix(1);  // dot-stuffed
    if (tx.data.size() < kMaxDataLines) tx.data.next().assign(line);
    return;
  }
  bool ok = false, continuation = false;
  std::string_view text;
  if (line.starts_with("+OK")) {
    ok = true;
    text = line.substr(3);
  } else if (line.starts_with("-ERR")) {
    text = line.substr(4);
  } else if (line.starts_with('+')) {  // SASL continuation
    ok = continuation = true;
    text = line.substr(1);
  } else {
    ++errors_;  // not a status line: skipped
    return;
  }
  if (text.starts_with(' ')) text.remove_prefix(1);
  if (open_.empty()) open();  // the greeting, or an answer to nothing seen
  Pop3Transaction& tx = *open_.front();
  tx.has_response = true;
  tx.success = ok;
  tx.status = ok ? "OK" : "ERR";
  tx.header.assign(text);
  if (continuation) {
    sasl_ = true;
    finish(sink);
    return;
  }
  if (tx.command == "AUTH" && !tx.args.empty()) sasl_ = false;
  if (tx.command == "<SASL DATA>") sasl_ = false;
  if (ok && tx.command == "STLS") start_tls_ = true;
  if (ok && hasBody(tx)) {
    tx.multiline = true;
    in_body_ = true;
    return;
  }
  finish(sink);
}

void Pop3State::close(const TransactionSink& sink) {
  while (!open_.empty()) finish(sink);
}

}  // namespace gsoc::sensor
