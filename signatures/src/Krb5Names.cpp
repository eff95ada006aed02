#include "gsoc/signatures/Krb5Names.hpp"

namespace gsoc::signatures {

namespace {

struct Named {
  std::int32_t code;
  std::string_view name;
};

constexpr Named kEncryptionTypes[] = {
    {1, "des-cbc-crc"},          {2, "des-cbc-md4"},
    {3, "des-cbc-md5"},          {5, "des3-cbc-md5"},
    {7, "des3-cbc-sha1"},        {9, "dsaWithSHA1-CmsOID"},
    {10, "md5WithRSAEncryption-CmsOID"}, {11, "sha1WithRSAEncryption-CmsOID"},
    {12, "rc2CBC-EnvOID"},       {13, "rsaEncryption-EnvOID"},
    {14, "rsaES-OAEP-ENV-OID"},  {15, "des-ede3-cbc-Env-OID"},
    {16, "des3-cbc-sha1-kd"},    {17, "aes128-cts-hmac-sha1-96"},
    {18, "aes256-cts-hmac-sha1-96"}, {19, "aes128-cts-hmac-sha256-128"},
    {20, "aes256-cts-hmac-sha384-192"}, {23, "rc4-hmac"},
    {24, "rc4-hmac-exp"},        {25, "camellia128-cts-cmac"},
    {26, "camellia256-cts-cmac"}, {65, "subkey-keymaterial"},
};

}  // namespace

std::string_view krb5EncryptionName(std::int32_t etype) {
  for (const Named& n : kEncryptionTypes) {
    if (n.code == etype) return n.name;
  }
  return {};
}

std::optional<std::int32_t> krb5EncryptionType(std::string_view name) {
  for (const Named& n : kEncryptionTypes) {
    if (n.name == name) return n.code;
  }
  return std::nullopt;
}

}  // namespace gsoc::signatures
