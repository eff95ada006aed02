// HTTP files as Suricata sees them: every response body, a PUT's body and a multipart upload's
// file part, named by Content-Disposition or the request's URI path, hashed whole, truncated
// when cut.
#include <gtest/gtest.h>

#include "sensor/app/HttpFile.hpp"
#include "sensor/app/TlsParser.hpp"

namespace gsoc::sensor {
namespace {

HttpMessage response(std::string body) {
  HttpMessage m;
  m.request = false;
  m.status_code = "200";
  m.body = std::move(body);
  m.body_length = m.body.size();
  m.body_wire_bytes = m.body.size();
  return m;
}

HttpMessage request(std::string method, std::string uri) {
  HttpMessage m;
  m.method = std::move(method);
  m.raw_uri = std::move(uri);
  return m;
}

TEST(HttpFile, ContentDispositionFilename) {
  EXPECT_EQ(contentDispositionFilename(R"(attachment; filename="a b.pdf")"), "a b.pdf");
  EXPECT_EQ(contentDispositionFilename("attachment; FileName = x.exe; size=3"), "x.exe");
  EXPECT_EQ(contentDispositionFilename("inline"), "");
  EXPECT_EQ(contentDispositionFilename("attachment; filenamex=1; filename=y.zip"), "y.zip");
}

TEST(HttpFile, ResponseBodyNamedByTheRequestPath) {
  FileHasher hasher;
  HttpFile file;
  const HttpMessage get = request("GET", "/dl/eicar.com?x=1");
  const HttpMessage ok = response("X5O!P%@AP");
  ASSERT_TRUE(httpFileOf(ok, &get, &hasher, file));
  EXPECT_EQ(file.name, "/dl/eicar.com");
  EXPECT_EQ(file.size, 9u);
  EXPECT_FALSE(file.truncated);
  EXPECT_EQ(file.md5, md5Hex("X5O!P%@AP"));
  EXPECT_EQ(file.sha256, signatures::Sha256::hex("X5O!P%@AP"));
  // The same hasher serves the next file.
  ASSERT_TRUE(httpFileOf(response("abc"), &get, &hasher, file));
  EXPECT_EQ(file.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HttpFile, DispositionNamesAndRequestsCarryFilesOnlyWhenPut) {
  FileHasher hasher;
  HttpFile file;
  HttpMessage named = response("%PDF");
  named.headers.emplace_back("Content-Disposition", "attachment; filename=\"r.pdf\"");
  ASSERT_TRUE(httpFileOf(named, nullptr, &hasher, file));
  EXPECT_EQ(file.name, "r.pdf");
  HttpMessage put = request("PUT", "/up/x.bin");
  put.body = "data";
  put.body_length = put.body_wire_bytes = 4;
  ASSERT_TRUE(httpFileOf(put, nullptr, &hasher, file));
  EXPECT_EQ(file.name, "/up/x.bin");
  HttpMessage post = request("POST", "/form");
  post.body = "a=1";
  post.body_length = post.body_wire_bytes = 3;
  EXPECT_FALSE(httpFileOf(post, nullptr, &hasher, file));
  EXPECT_FALSE(httpFileOf(response(""), nullptr, &hasher, file));  // no body, no file
}

// A browser's form upload (RFC 7578): the first part with a filename is the file, its bytes
// without the part's headers or the line end before the next delimiter.
TEST(HttpFile, MultipartUploadFilePart) {
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\nalice\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"shell.php\"\r\n"
      "Content-Type: application/octet-stream\r\n\r\n<?php system($_GET['c']); ?>\r\n--XyZ--\r\n";
  const auto part = firstMultipartFile("multipart/form-data; boundary=XyZ", body);
  ASSERT_TRUE(part);
  EXPECT_EQ(part->name, "shell.php");
  EXPECT_EQ(body.substr(part->offset, part->length), "<?php system($_GET['c']); ?>");
  EXPECT_TRUE(part->complete);
  EXPECT_TRUE(firstMultipartFile("multipart/form-data; boundary=\"XyZ\"", body));
  EXPECT_FALSE(firstMultipartFile("application/x-www-form-urlencoded", body));
  EXPECT_FALSE(firstMultipartFile("multipart/form-data; boundary=Other", body));
  // Only fields, no file; and a body that ends inside the file part.
  EXPECT_FALSE(firstMultipartFile("multipart/form-data; boundary=XyZ", "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XyZ--\r\n"));
  const auto cut = firstMultipartFile("multipart/form-data; boundary=XyZ", body.substr(0, body.size() - 20));
  ASSERT_TRUE(cut);
  EXPECT_FALSE(cut->complete);

  FileHasher hasher;
  HttpFile file;
  HttpMessage post = request("POST", "/upload.php");
  post.headers.emplace_back("Content-Type", "multipart/form-data; boundary=XyZ");
  post.body = body;
  post.body_length = post.body_wire_bytes = body.size();
  ASSERT_TRUE(httpFileOf(post, nullptr, &hasher, file));
  EXPECT_EQ(file.name, "shell.php");
  EXPECT_EQ(file.size, 28u);
  EXPECT_EQ(file.contentIn(post.body), "<?php system($_GET['c']); ?>");
  EXPECT_FALSE(file.truncated);
  EXPECT_EQ(file.sha256.size(), 64u);
  post.body = body.substr(0, body.size() - 20);
  ASSERT_TRUE(httpFileOf(post, nullptr, &hasher, file));
  EXPECT_TRUE(file.truncated);
  EXPECT_TRUE(file.sha256.empty());
}

TEST(HttpFile, TruncatedBodyHasItsSizeSeenAndNoHashes) {
  FileHasher hasher;
  HttpFile file;
  HttpMessage cut = response(std::string(100, 'a'));
  cut.body_truncated = true;
  cut.body_wire_bytes = 500'000;
  ASSERT_TRUE(httpFileOf(cut, nullptr, &hasher, file));
  EXPECT_TRUE(file.truncated);
  EXPECT_EQ(file.size, 500'000u);
  EXPECT_TRUE(file.md5.empty());
  EXPECT_TRUE(file.sha256.empty());
}

TEST(HttpFile, WithoutAHasherTheFileIsLoggedUnhashed) {
  HttpFile file;
  file.md5 = "left from the previous file";
  const HttpMessage get = request("GET", "/a.exe");
  ASSERT_TRUE(httpFileOf(response("MZ"), &get, nullptr, file));
  EXPECT_EQ(file.name, "/a.exe");
  EXPECT_EQ(file.size, 2u);
  EXPECT_TRUE(file.md5.empty());
  EXPECT_TRUE(file.sha256.empty());
}

// helper-http: on HTTP/2 a request's DATA is a file whatever the method (Suricata's http2 files).
TEST(HttpFile, Http2RequestBodiesAreFiles) {
  FileHasher hasher;
  HttpFile file;
  HttpMessage post = request("POST", "/log?format=json");
  post.http2 = true;
  post.body = "{}";
  post.body_length = post.body_wire_bytes = 2;
  ASSERT_TRUE(httpFileOf(post, nullptr, &hasher, file));
  EXPECT_EQ(file.name, "/log");
  EXPECT_EQ(file.size, 2u);
}

}  // namespace
}  // namespace gsoc::sensor
