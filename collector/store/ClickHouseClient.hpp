#pragma once
// ClickHouseClient: one ClickHouse server's HTTP interface, through libcurl (one kept-alive
// connection per client). Statements go in the POST body; an INSERT's statement goes in the URL
// (`?query=INSERT ... FORMAT RowBinary`) and its rows in the body, so a batch is one request and,
// up to the server's max_insert_block_size rows, one atomic part. Every failure, transport or
// server (HTTP status other than 200, with ClickHouse's message), is a StoreError naming the
// server. The HTTP interface and RowBinary are stable from Debian's 18.16 to current releases.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace gsoc::collector {

class ClickHouseClient {
 public:
  // `url`: "http://host:8123"; `timeout_s` bounds every request (connect included).
  explicit ClickHouseClient(std::string url, long timeout_s = 60);
  ~ClickHouseClient();
  ClickHouseClient(const ClickHouseClient&) = delete;
  ClickHouseClient& operator=(const ClickHouseClient&) = delete;

  [[nodiscard]] const std::string& url() const { return url_; }
  // Runs a statement and returns its whole answer.
  std::string query(std::string_view sql);
  // Runs a statement and hands its answer on as it arrives (large SELECTs).
  void query(std::string_view sql, const std::function<void(std::string_view)>& chunk);
  // `statement`: "INSERT INTO t FORMAT RowBinary"; `rows`: the encoded rows.
  void insert(std::string_view statement, std::string_view rows);

 private:
  struct Curl;
  void perform(const std::string& url, std::string_view body, const std::function<void(std::string_view)>& chunk);

  std::string url_;
  long timeout_s_;
  std::unique_ptr<Curl> curl_;
};

// A ClickHouse string literal: quoted, with backslash and quote escaped.
std::string clickHouseQuote(std::string_view value);

}  // namespace gsoc::collector
