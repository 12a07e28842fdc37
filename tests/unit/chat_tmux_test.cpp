// `qwen-edge chat` driven as a person would, through a terminal: tmux runs it in a detached
// session, keys are typed into it and the screen is read back. Chinese input, the reset commands,
// Ctrl-C during an answer and /quit. Timeouts are generous; nothing is timed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "support/run_command.h"

namespace qe {
namespace {

using test::run_command;
using test::shell_quote;

const std::string kModel = std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf";
constexpr auto kTimeout = std::chrono::seconds(180);

// One tmux server of our own (its own socket), so nothing else's sessions are touched.
class Tmux {
  public:
    Tmux() : socket_("qe_chat_test_" + std::to_string(::getpid())) {}
    ~Tmux() { run("kill-server"); }

    test::CommandResult run(const std::string& args) const {
        return run_command("LANG=C.UTF-8 tmux -u -L " + socket_ + " " + args + " 2>&1");
    }
    // The whole pane, scrollback included, wrapped lines joined.
    std::string screen() const { return run("capture-pane -p -J -S -5000 -t chat").output; }
    void type(const std::string& text) const {
        run("send-keys -t chat -l " + shell_quote(text));
        run("send-keys -t chat Enter");
    }
    void key(const std::string& name) const { run("send-keys -t chat " + name); }

    // Polls the screen until `done` holds for it; returns false after the timeout.
    bool wait_for(const std::function<bool(const std::string&)>& done) const {
        const auto end = std::chrono::steady_clock::now() + kTimeout;
        while (std::chrono::steady_clock::now() < end) {
            if (done(screen())) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return false;
    }

  private:
    std::string socket_;
};

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// The prompt sizes of the answers so far, from --verbose's "[first token .., N prompt tokens ..]".
std::vector<int> prompt_sizes(const std::string& screen) {
    static const std::regex line(
        R"(\[first token [0-9]+ ms, [0-9.]+ tokens/s, ([0-9]+) prompt tokens)");
    std::vector<int> sizes;
    for (std::sregex_iterator it(screen.begin(), screen.end(), line), end; it != end; ++it)
        sizes.push_back(std::stoi((*it)[1]));
    return sizes;
}

TEST(ChatTerminal, ChineseResetCtrlCAndQuit) {
    if (run_command("command -v tmux >/dev/null").exit_code != 0)
        FAIL() << "tmux is not installed (scripts/setup.sh --test installs it)";
    Tmux tmux;
    const std::string program = shell_quote(std::string(QE_BIN_DIR) + "/qwen-edge") +
                                " chat --model " + shell_quote(kModel) + " --verbose -n 24 -t 2";
    // After the program ends the pane stays, showing its exit status.
    auto r = tmux.run("new-session -d -s chat -x 160 -y 50 " +
                      shell_quote(program + "; echo \"[exit $?]\"; sleep 600"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    ASSERT_TRUE(tmux.wait_for([](const std::string& s) {
        return s.find("/help for commands") != std::string::npos;
    })) << tmux.screen();

    auto answers = [&](size_t n) {
        return tmux.wait_for([n](const std::string& s) { return prompt_sizes(s).size() >= n; });
    };

    // Chinese typed at the prompt reaches the model (and is echoed as typed).
    const std::string question = "你好，请写一首诗。";
    tmux.type(question);
    ASSERT_TRUE(answers(1)) << tmux.screen();
    EXPECT_NE(tmux.screen().find("> " + question), std::string::npos) << tmux.screen();

    // A second turn carries the first one: a longer prompt.
    tmux.type("再写一首。");
    ASSERT_TRUE(answers(2)) << tmux.screen();
    auto sizes = prompt_sizes(tmux.screen());
    EXPECT_GT(sizes[1], sizes[0]);

    // 重新开始 alone resets instead of being sent: the same question again has the first prompt's
    // size.
    tmux.type("重新开始");
    ASSERT_TRUE(tmux.wait_for([](const std::string& s) {
        return count(s, "(new conversation)") >= 1;
    })) << tmux.screen();
    tmux.type(question);
    ASSERT_TRUE(answers(3)) << tmux.screen();
    EXPECT_EQ(prompt_sizes(tmux.screen())[2], sizes[0]) << tmux.screen();

    // And so does /reset.
    tmux.type("/reset");
    ASSERT_TRUE(tmux.wait_for([](const std::string& s) {
        return count(s, "(new conversation)") >= 2;
    })) << tmux.screen();
    tmux.type(question);
    ASSERT_TRUE(answers(4)) << tmux.screen();
    EXPECT_EQ(prompt_sizes(tmux.screen())[3], sizes[0]) << tmux.screen();

    // Ctrl-C while an answer is being written stops it, and the program goes on. Long answers (the
    // loop guard may still end one early, so a few tries).
    tmux.type("/set max_tokens 3000");
    ASSERT_TRUE(tmux.wait_for([](const std::string& s) {
        return s.find("(max_tokens = 3000") != std::string::npos;
    })) << tmux.screen();
    bool stopped = false;
    for (int attempt = 0; attempt < 5 && !stopped; ++attempt) {
        const size_t before = prompt_sizes(tmux.screen()).size();
        const std::string ask = "> Tell me a very long story.";
        tmux.type(ask.substr(2));
        // Once the line has been read and the answer begun, interrupt (a Ctrl-C before that would
        // discard the typed line).
        ASSERT_TRUE(tmux.wait_for([&](const std::string& s) {
            if (count(s, ask) < size_t(attempt) + 1) return false;
            const std::string rest = s.substr(s.rfind(ask) + ask.size());
            const size_t eol = rest.find('\n');
            return eol != std::string::npos &&
                   rest.find_first_not_of(" \n", eol) != std::string::npos;
        })) << tmux.screen();
        tmux.key("C-c");
        ASSERT_TRUE(answers(before + 1)) << tmux.screen();
        stopped = count(tmux.screen(), "(stopped)") > 0;
    }
    EXPECT_TRUE(stopped) << tmux.screen();
    EXPECT_EQ(tmux.screen().find("[exit"), std::string::npos) << tmux.screen();

    // Still answering after Ctrl-C.
    const size_t so_far = prompt_sizes(tmux.screen()).size();
    tmux.type("/set max_tokens 8");
    tmux.type("谢谢");
    ASSERT_TRUE(answers(so_far + 1)) << tmux.screen();

    // /no_think and /think switch the thinking (and its sampling), and answers go on.
    tmux.type("/no_think");
    ASSERT_TRUE(tmux.wait_for([](const std::string& s) {
        return s.find("(thinking off; sampling: temperature") != std::string::npos;
    })) << tmux.screen();
    tmux.type("/think");
    ASSERT_TRUE(tmux.wait_for([](const std::string& s) {
        return s.find("(thinking on; sampling: temperature") != std::string::npos;
    })) << tmux.screen();
    tmux.type("再见");
    ASSERT_TRUE(answers(so_far + 2)) << tmux.screen();

    // /quit leaves with status 0.
    tmux.type("/quit");
    ASSERT_TRUE(tmux.wait_for([](const std::string& s) {
        return s.find("[exit ") != std::string::npos;
    })) << tmux.screen();
    EXPECT_NE(tmux.screen().find("[exit 0]"), std::string::npos) << tmux.screen();
}

}  // namespace
}  // namespace qe
