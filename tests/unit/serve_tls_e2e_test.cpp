// `qwen-edge serve --tls-cert --tls-key`: HTTPS served by qwen-edge itself, with a self-signed
// certificate made for the test by the openssl command (scripts/setup.sh --test installs it).
// A client that trusts the certificate chats (streaming too); plain HTTP on that port gets no
// answer; unusable certificate files stop the start with a message naming the file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/live_server.h"
#include "support/run_command.h"

namespace qe {
namespace {

namespace fs = std::filesystem;
using test::run_command;
using test::shell_quote;

const std::string kBinary = std::string(QE_BIN_DIR) + "/qwen-edge";
const std::string kModel = std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf";

class ServeTls : public ::testing::Test {
  protected:
    void SetUp() override {
        if (run_command("command -v openssl >/dev/null && command -v curl >/dev/null").exit_code !=
            0)
            GTEST_SKIP() << "needs the openssl and curl commands (scripts/setup.sh --test)";
        dir_ = fs::path(QE_TEST_TMP_DIR) / "serve_tls" /
               ::testing::UnitTest::GetInstance()->current_test_info()->name();
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        cert_ = (dir_ / "cert.pem").string();
        key_ = (dir_ / "key.pem").string();
        const auto made = run_command(
            "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
            "-addext subjectAltName=IP:127.0.0.1 -keyout " +
            shell_quote(key_) + " -out " + shell_quote(cert_) + " 2>&1");
        ASSERT_EQ(made.exit_code, 0) << made.output;
    }

    // curl trusting only the test's certificate (as a browser given the CA).
    test::CommandResult curl(int port, const std::string& path, const std::string& args = "") {
        return run_command(
            "env -u https_proxy -u HTTPS_PROXY -u all_proxy -u ALL_PROXY curl -sS "
            "--noproxy '*' --max-time 30 --cacert " +
            shell_quote(cert_) + " " + args + " https://127.0.0.1:" + std::to_string(port) + path +
            " 2>&1");
    }

    fs::path dir_;
    std::string cert_, key_;
};

TEST_F(ServeTls, ServesTheApiAndThePageOverHttps) {
    test::LiveServer server;
    server.ready_check = [&](int port) {
        return curl(port, "/health", "-o /dev/null -w '%{http_code}'").output == "200";
    };
    ASSERT_EQ(
        server.start(kBinary,
                     {"--model", kModel, "--threads", "1", "--tls-cert", cert_, "--tls-key", key_},
                     (dir_ / "serve.log").string()),
        "");
    const int port = server.port();
    EXPECT_NE(server.output().find("listening on https://127.0.0.1:"), std::string::npos)
        << server.output();

    const auto page = curl(port, "/");
    EXPECT_NE(page.output.find("<html"), std::string::npos) << page.output.substr(0, 300);
    const std::string body =
        R"({"messages":[{"role":"user","content":"你好"}],"max_tokens":4,"stream":true})";
    const auto stream = curl(port, "/v1/chat/completions", "-N -d " + shell_quote(body));
    EXPECT_EQ(stream.exit_code, 0) << stream.output;
    EXPECT_NE(stream.output.find("data: [DONE]"), std::string::npos) << stream.output;

    // Plain HTTP to the HTTPS port: no HTTP answer, and the server lives on.
    EXPECT_EQ(test::http(port, "GET", "/health").status, 0);
    // A client that does not trust the certificate refuses it (what a browser warns about).
    const auto untrusted = run_command("curl -sS --noproxy '*' --max-time 30 https://127.0.0.1:" +
                                       std::to_string(port) + "/health 2>&1");
    EXPECT_NE(untrusted.exit_code, 0) << untrusted.output;
    EXPECT_EQ(curl(port, "/health", "-o /dev/null -w '%{http_code}'").output, "200");
    EXPECT_EQ(server.stop(), 0) << server.output();
}

TEST_F(ServeTls, UnusableCertificateFilesAreNamedAtStart) {
    const std::string not_pem = (dir_ / "not.pem").string();
    std::ofstream(not_pem) << "hello\n";
    const auto run = [&](const std::string& args) {
        return run_command(kBinary + " serve --model " + shell_quote(kModel) + " --port 0 " + args +
                           " 2>&1");
    };
    auto r = run("--tls-cert " + shell_quote(not_pem) + " --tls-key " + shell_quote(key_));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find(not_pem + ": cannot use it as the TLS certificate"), std::string::npos)
        << r.output;

    r = run("--tls-cert " + shell_quote(cert_) + " --tls-key " + shell_quote(not_pem));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find(not_pem + ": cannot use it as the TLS private key"), std::string::npos)
        << r.output;

    // Another key than the certificate's.
    const std::string other = (dir_ / "other.pem").string();
    ASSERT_EQ(run_command("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " +
                          shell_quote(other) + " 2>&1")
                  .exit_code,
              0);
    r = run("--tls-cert " + shell_quote(cert_) + " --tls-key " + shell_quote(other));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("is not the private key of the certificate"), std::string::npos)
        << r.output;

    // One without the other is a usage error.
    EXPECT_EQ(run("--tls-cert " + shell_quote(cert_)).exit_code, 2);
}

}  // namespace
}  // namespace qe
