// The progress display's text: sizes, durations, speed over a window, bar and plain lines.
#include "fetch/progress.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace qe::fetch {
namespace {

TEST(Progress, FormatsSizesInDecimalUnits) {
    EXPECT_EQ(format_bytes(0), "0 B");
    EXPECT_EQ(format_bytes(999), "999 B");
    EXPECT_EQ(format_bytes(1500), "1.5 kB");
    EXPECT_EQ(format_bytes(675710816), "675.7 MB");
    EXPECT_EQ(format_bytes(1200000000), "1.20 GB");
}

TEST(Progress, FormatsDurations) {
    EXPECT_EQ(format_duration(0), "0:00");
    EXPECT_EQ(format_duration(7.4), "0:07");
    EXPECT_EQ(format_duration(754), "12:34");
    EXPECT_EQ(format_duration(3723), "1:02:03");
    EXPECT_EQ(format_duration(-1), "?");
    EXPECT_EQ(format_duration(1e9), "?");
}

TEST(Progress, RateFollowsTheRecentWindow) {
    RateMeter rate(2.0);
    EXPECT_EQ(rate.bytes_per_second(), 0);
    rate.add(0, 0);
    rate.add(1, 1000);
    EXPECT_DOUBLE_EQ(rate.bytes_per_second(), 1000);
    // Fast for a while, then a stall: the old fast samples leave the window.
    rate.add(2, 11000);
    rate.add(3, 11000);
    rate.add(4, 11000);
    rate.add(5, 11000);
    EXPECT_DOUBLE_EQ(rate.bytes_per_second(), 0);
    rate.add(6, 13000);
    EXPECT_GT(rate.bytes_per_second(), 0);
}

TEST(Progress, BarLineFitsTheWidthAndShowsSpeedAndEta) {
    const ProgressState s{265000000, 530000000, 53000000};
    const std::string line = progress_bar_line("qwen2.5-0.5b-instruct-q8_0.gguf", s, 100);
    EXPECT_LE(line.size(), 100u);
    EXPECT_NE(line.find(" 50%"), std::string::npos) << line;
    EXPECT_NE(line.find("265.0 MB / 530.0 MB"), std::string::npos) << line;
    EXPECT_NE(line.find("53.0 MB/s"), std::string::npos) << line;
    EXPECT_NE(line.find("ETA 0:05"), std::string::npos) << line;
    EXPECT_NE(line.find("[====="), std::string::npos) << line;
    // A narrow terminal drops the bar, then shortens the name, but keeps the numbers.
    const std::string narrow = progress_bar_line("qwen2.5-0.5b-instruct-q8_0.gguf", s, 60);
    EXPECT_LE(narrow.size(), 60u);
    EXPECT_EQ(narrow.find('['), std::string::npos) << narrow;
    EXPECT_NE(narrow.find("ETA 0:05"), std::string::npos) << narrow;
}

TEST(Progress, UnknownTotalAndStalledSpeedSayWhatIsKnown) {
    EXPECT_EQ(progress_plain_line("f", {5000, 0, 1000}), "f: 5.0 kB (1.0 kB/s)");
    EXPECT_EQ(progress_plain_line("f", {250, 1000, 0}), "f: 25% (250 B of 1.0 kB, 0 B/s, ETA ?)");
}

TEST(Progress, PlainReporterPrintsOneLinePerTenthAndAFinalLine) {
    FILE* out = std::tmpfile();
    ASSERT_NE(out, nullptr);
    {
        ProgressReporter p(out, false, "m.gguf");
        for (uint64_t done = 0; done <= 1000; done += 50) p.update(done, 1000);
        p.finish(1000, 1000);
    }
    std::rewind(out);
    std::string text;
    char buf[256];
    while (std::fgets(buf, sizeof buf, out)) text += buf;
    std::fclose(out);
    int lines = 0;
    for (char c : text) lines += c == '\n';
    EXPECT_EQ(lines, 10) << text;  // 10%..90% and the final 100%
    EXPECT_NE(text.find("m.gguf: 10% (100 B of 1.0 kB"), std::string::npos) << text;
    EXPECT_NE(text.find("m.gguf: 100% (1.0 kB of 1.0 kB"), std::string::npos) << text;
}

}  // namespace
}  // namespace qe::fetch
