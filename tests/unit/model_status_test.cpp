// What /health and the API's 503s say before the model is ready: loading, downloading (with
// bytes, speed and time left), or a failed download with what to do instead.
#include "server/model_status.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/api.h"

namespace qe {
namespace {

using json = nlohmann::json;

HttpRequest chat_request() {
    return {"POST",
            "/v1/chat/completions",
            {{"content-type", "application/json"}},
            R"({"messages":[{"role":"user","content":"hi"}]})"};
}

std::string header(const HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
        if (k == name) return v;
    return "";
}

TEST(ModelStatus, TimeLeftNeedsATotalAndASpeed) {
    ModelStatusSnapshot s;
    s.bytes = 100;
    EXPECT_EQ(s.eta_seconds(), -1);
    s.total = 1100;
    EXPECT_EQ(s.eta_seconds(), -1);
    s.bytes_per_second = 250;
    EXPECT_DOUBLE_EQ(s.eta_seconds(), 4.0);
    s.bytes = 2000;  // more than the total: no estimate rather than a negative one
    EXPECT_EQ(s.eta_seconds(), -1);
}

TEST(ModelStatus, JsonCarriesTheFieldsOfEachState) {
    ModelStatus status;
    status.loading("m.gguf");
    EXPECT_EQ(status.snapshot().to_json().dump(), R"({"state":"loading","model":"m.gguf"})");

    status.downloading("m.gguf", 250, 1000, 100.4);
    const json d = json::parse(status.snapshot().to_json().dump());
    EXPECT_EQ(d["state"], "downloading");
    EXPECT_EQ(d["bytes"], 250);
    EXPECT_EQ(d["total"], 1000);
    EXPECT_EQ(d["bytes_per_second"], 100);
    EXPECT_EQ(d["eta_seconds"], 8);  // 750 bytes at 100.4 B/s, rounded up
    EXPECT_FALSE(d.contains("error"));

    status.download_failed("cannot connect", "use --demo", 20);
    const json f = json::parse(status.snapshot().to_json().dump());
    EXPECT_EQ(f["state"], "download_failed");
    EXPECT_EQ(f["bytes"], 250);  // what arrived stays for the resume
    EXPECT_EQ(f["error"], "cannot connect");
    EXPECT_EQ(f["help"], "use --demo");
    EXPECT_EQ(f["retry_in_seconds"], 20);
    EXPECT_TRUE(f["eta_seconds"].is_null());

    status.downloading("m.gguf", 300, 1000, 0);  // a new attempt clears the failure
    const json again = json::parse(status.snapshot().to_json().dump());
    EXPECT_EQ(again["state"], "downloading");
    EXPECT_FALSE(again.contains("error"));
    EXPECT_TRUE(again["eta_seconds"].is_null());
}

TEST(ModelStatus, HealthAndRequestsSayWhatTheServerIsWaitingFor) {
    Api api({});
    auto h = api.handle({"GET", "/health", {}, ""});
    EXPECT_EQ(h.status, 503);
    EXPECT_EQ(json::parse(h.body)["status"], "loading");
    auto r = api.handle(chat_request());
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(json::parse(r.body)["error"]["code"], "model_loading");
    EXPECT_EQ(header(r, "Retry-After"), "2");

    api.model_status().downloading("m.gguf", 500000, 1000000, 100000);
    h = api.handle({"GET", "/health", {}, ""});
    EXPECT_EQ(h.status, 503);
    const json body = json::parse(h.body);
    EXPECT_EQ(body["status"], "loading");  // what older clients read
    EXPECT_EQ(body["state"], "downloading");
    EXPECT_EQ(body["eta_seconds"], 5);
    r = api.handle(chat_request());
    EXPECT_EQ(r.status, 503);
    const json e = json::parse(r.body)["error"];
    EXPECT_EQ(e["code"], "model_downloading");
    EXPECT_NE(e["message"].get<std::string>().find("500.0 kB of 1.0 MB"), std::string::npos) << e;
    EXPECT_EQ(header(r, "Retry-After"), "5");

    api.model_status().download_failed("no network", "start with --demo", 40);
    r = api.handle(chat_request());
    EXPECT_EQ(r.status, 503);
    const json f = json::parse(r.body)["error"];
    EXPECT_EQ(f["code"], "model_unavailable");
    EXPECT_NE(f["message"].get<std::string>().find("start with --demo"), std::string::npos) << f;
    EXPECT_EQ(header(r, "Retry-After"), "40");
}

}  // namespace
}  // namespace qe
