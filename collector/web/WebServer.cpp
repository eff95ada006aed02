// <utility> before Asio: Boost 1.74's awaitable.hpp uses std::exchange without including it.
#include <utility>

#include "collector/web/WebServer.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <chrono>
#include <iostream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace gsoc::collector {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr auto kIdleTimeout = std::chrono::seconds(30);
constexpr int kMaxConnections = 128;
constexpr std::uint32_t kMaxRequestBytes = 64 * 1024;
constexpr int kThreads = 2;
constexpr auto kStreamTick = std::chrono::milliseconds(250);
constexpr auto kStreamKeepAlive = std::chrono::seconds(15);

tcp::endpoint parseAddress(const std::string& address) {
  const auto fail = [&](const std::string& why) {
    return std::runtime_error("web_address (--web) '" + address + "': " + why);
  };
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) throw fail("expected HOST:PORT or [IPv6]:PORT");
  std::string host = address.substr(0, colon);
  const std::string port_text = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    throw fail("the port must be a number from 0 to 65535");
  }
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code error;
  const auto ip = asio::ip::make_address(host, error);
  if (error) throw fail("'" + host + "' is not an IP address (give 0.0.0.0, [::] or the address to listen on)");
  return {ip, static_cast<unsigned short>(port)};
}

}  // namespace

struct WebServer::Impl {
  Impl(ConsoleRoutes& r) : routes(r) {}
  ConsoleRoutes& routes;
  // Declared before io: the coroutine frames io still holds when it is destroyed use them.
  ssl::context tls{ssl::context::tls_server};
  std::atomic<int> connections{0};
  asio::io_context io{kThreads};
  tcp::acceptor acceptor{io};
  std::vector<std::thread> threads;

  asio::awaitable<void> accept() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec == asio::error::operation_aborted) co_return;
      if (ec) {  // out of descriptors, say: wait a little rather than spin or stop serving
        std::cerr << "gsoc-collector: web: accept failed: " << ec.message() << "\n";
        asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(200));
        co_await pause.async_wait(asio::use_awaitable);
        continue;
      }
      if (connections.load() >= kMaxConnections) continue;  // closed as it goes out of scope
      asio::co_spawn(acceptor.get_executor(), serve(std::move(socket)), asio::detached);
    }
  }

  // Server-sent events until the browser goes, the session ends or the server stops. No
  // Content-Length: the body is the rest of the connection.
  asio::awaitable<void> streamFeed(beast::ssl_stream<beast::tcp_stream>& stream, const ConsoleRoutes::Request& request,
                                   const ConsoleRoutes::Stream& live) {
    http::response<http::empty_body> head{http::status::ok, request.version()};
    ConsoleRoutes::secure(head);
    head.set(http::field::content_type, "text/event-stream; charset=utf-8");
    head.keep_alive(false);
    http::response_serializer<http::empty_body> serializer{head};
    beast::get_lowest_layer(stream).expires_after(kIdleTimeout);
    co_await http::async_write_header(stream, serializer, asio::use_awaitable);
    asio::steady_timer tick(stream.get_executor());
    auto last_write = std::chrono::steady_clock::now();
    for (;;) {
      if (!routes.streamAllowed(live)) co_return;
      bool overflowed = false;
      std::string out = ConsoleRoutes::streamEvents(*live.subscription, overflowed);
      const auto now = std::chrono::steady_clock::now();
      if (out.empty() && now - last_write >= kStreamKeepAlive) out = ": keepalive\n\n";
      if (!out.empty()) {
        beast::get_lowest_layer(stream).expires_after(kIdleTimeout);
        co_await asio::async_write(stream, asio::buffer(out), asio::use_awaitable);
        last_write = now;
      }
      if (overflowed) co_return;
      tick.expires_after(kStreamTick);
      co_await tick.async_wait(asio::use_awaitable);
    }
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    ++connections;
    struct Leaving {
      std::atomic<int>& n;
      ~Leaving() { --n; }
    } leaving{connections};
    std::string peer = "?";
    boost::system::error_code ec;
    if (const auto remote = socket.remote_endpoint(ec); !ec) peer = remote.address().to_string() + ":" + std::to_string(remote.port());
    beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), tls);
    try {
      beast::get_lowest_layer(stream).expires_after(kIdleTimeout);
      co_await stream.async_handshake(ssl::stream_base::server, asio::use_awaitable);
      beast::flat_buffer buffer;
      for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(kMaxRequestBytes);
        parser.header_limit(kMaxRequestBytes);
        beast::get_lowest_layer(stream).expires_after(kIdleTimeout);
        co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
        ConsoleRoutes::Request request = parser.release();
        if (ConsoleRoutes::isStream(request)) {
          ConsoleRoutes::Response refused;
          const ConsoleRoutes::Stream live = routes.openStream(request, peer, refused);
          if (live.subscription) {
            co_await streamFeed(stream, request, live);
            co_return;  // a stream ends with its connection
          }
          co_await http::async_write(stream, refused, asio::use_awaitable);
          if (!refused.keep_alive()) break;
          continue;
        }
        ConsoleRoutes::Response response = routes.handle(request, peer);
        const bool keep_alive = response.keep_alive();
        co_await http::async_write(stream, response, asio::use_awaitable);
        if (!keep_alive) break;
      }
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
      co_await stream.async_shutdown(asio::use_awaitable);
    } catch (const boost::system::system_error&) {
      // A client that went away, timed out or failed the handshake (a browser refusing the
      // certificate, say): nothing to answer.
    }
  }
};

WebServer::WebServer(const Options& options, ConsoleRoutes& routes) : impl_(std::make_unique<Impl>(routes)) {
  const tcp::endpoint endpoint = parseAddress(options.address);
  try {
    impl_->tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1);
    impl_->tls.use_certificate_chain(asio::buffer(options.cert_pem));
    impl_->tls.use_private_key(asio::buffer(options.key_pem), ssl::context::pem);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error(std::string("web console: cert_file/key_file do not load for TLS: ") + e.what());
  }
  try {
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen();
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("web_address (--web) '" + options.address + "': cannot listen: " + e.code().message());
  }
  asio::co_spawn(impl_->io, impl_->accept(), asio::detached);
  for (int i = 0; i < kThreads; ++i) impl_->threads.emplace_back([this] { impl_->io.run(); });
}

WebServer::~WebServer() {
  impl_->io.stop();
  for (auto& t : impl_->threads) t.join();
}

std::string WebServer::boundAddress() const {
  const tcp::endpoint e = impl_->acceptor.local_endpoint();
  const std::string host = e.address().is_v6() ? "[" + e.address().to_string() + "]" : e.address().to_string();
  return host + ":" + std::to_string(e.port());
}

}  // namespace gsoc::collector
