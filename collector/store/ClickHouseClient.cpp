#include "collector/store/ClickHouseClient.hpp"

#include <curl/curl.h>

#include <mutex>

#include "collector/store/EventStore.hpp"

namespace gsoc::collector {
namespace {

// curl_global_init is not thread-safe: once per process, before the first handle.
void initCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw StoreError("clickhouse: libcurl failed to initialise");
  });
}

struct Receiver {
  const std::function<void(std::string_view)>* chunk = nullptr;
  std::string error_body;  // kept instead of handed on when the status is not 200
  CURL* handle = nullptr;
  bool failed_status = false;
  bool checked = false;
  std::string callback_error;
};

std::size_t onData(char* data, std::size_t size, std::size_t n, void* user) {
  auto& r = *static_cast<Receiver*>(user);
  if (!r.checked) {
    long status = 0;
    curl_easy_getinfo(r.handle, CURLINFO_RESPONSE_CODE, &status);
    r.failed_status = status != 200;
    r.checked = true;
  }
  const std::string_view bytes(data, size * n);
  if (r.failed_status) {
    r.error_body.append(bytes.substr(0, 4096 - std::min<std::size_t>(4096, r.error_body.size())));
    return size * n;
  }
  try {
    (*r.chunk)(bytes);
  } catch (const std::exception& e) {
    r.callback_error = e.what();
    return 0;  // aborts the transfer
  }
  return size * n;
}

std::string escapeUrl(CURL* handle, std::string_view text) {
  char* escaped = curl_easy_escape(handle, text.data(), static_cast<int>(text.size()));
  if (escaped == nullptr) throw StoreError("clickhouse: cannot encode a statement into a URL");
  std::string out(escaped);
  curl_free(escaped);
  return out;
}

}  // namespace

struct ClickHouseClient::Curl {
  CURL* handle = curl_easy_init();
  ~Curl() { curl_easy_cleanup(handle); }
};

ClickHouseClient::ClickHouseClient(std::string url, long timeout_s) : url_(std::move(url)), timeout_s_(timeout_s) {
  initCurlOnce();
  while (!url_.empty() && url_.back() == '/') url_.pop_back();
  curl_ = std::make_unique<Curl>();
  if (curl_->handle == nullptr) throw StoreError("clickhouse " + url_ + ": libcurl could not make a handle");
}

ClickHouseClient::~ClickHouseClient() = default;

void ClickHouseClient::perform(const std::string& url, std::string_view body, const std::function<void(std::string_view)>& chunk) {
  CURL* h = curl_->handle;
  curl_easy_reset(h);
  Receiver r;
  r.chunk = &chunk;
  r.handle = h;
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, onData);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout_s_);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, std::min(timeout_s_, 10L));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // several threads; no SIGALRM for timeouts
  // "Expect: 100-continue" would add a round trip to every large insert.
  curl_slist* headers = curl_slist_append(nullptr, "Expect:");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  const CURLcode rc = curl_easy_perform(h);
  curl_slist_free_all(headers);
  if (!r.callback_error.empty()) throw StoreError("clickhouse " + url_ + ": " + r.callback_error);
  if (rc != CURLE_OK) throw StoreError("clickhouse " + url_ + ": " + (error[0] != '\0' ? std::string(error) : curl_easy_strerror(rc)));
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    while (!r.error_body.empty() && (r.error_body.back() == '\n' || r.error_body.back() == ' ')) r.error_body.pop_back();
    throw StoreError("clickhouse " + url_ + ": HTTP " + std::to_string(status) + ": " + r.error_body);
  }
}

std::string ClickHouseClient::query(std::string_view sql) {
  std::string out;
  query(sql, [&](std::string_view bytes) { out.append(bytes); });
  return out;
}

void ClickHouseClient::query(std::string_view sql, const std::function<void(std::string_view)>& chunk) {
  // Hunts name the keys of the events they want: more text than the 256 KiB ClickHouse parses by default.
  perform(url_ + "/?max_query_size=16777216", sql, chunk);
}

void ClickHouseClient::insert(std::string_view statement, std::string_view rows) {
  perform(url_ + "/?query=" + escapeUrl(curl_->handle, statement), rows, [](std::string_view) {});
}

std::string clickHouseQuote(std::string_view value) {
  std::string out = "'";
  for (const char c : value) {
    if (c == '\\' || c == '\'') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

}  // namespace gsoc::collector
