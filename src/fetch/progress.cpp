#include "fetch/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace qe::fetch {

std::string format_bytes(uint64_t bytes) {
    char buf[32];
    const double b = double(bytes);
    if (bytes < 1000) {
        std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
    } else if (b < 1e6) {
        std::snprintf(buf, sizeof buf, "%.1f kB", b / 1e3);
    } else if (b < 1e9) {
        std::snprintf(buf, sizeof buf, "%.1f MB", b / 1e6);
    } else {
        std::snprintf(buf, sizeof buf, "%.2f GB", b / 1e9);
    }
    return buf;
}

std::string format_duration(double seconds) {
    if (!(seconds >= 0) || seconds > 99 * 3600.0) return "?";
    const auto s = static_cast<long>(std::lround(seconds));
    char buf[32];
    if (s >= 3600) {
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    } else {
        std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    }
    return buf;
}

void RateMeter::add(double t, uint64_t done) {
    if (!samples_.empty() && done < samples_.back().second) samples_.clear();  // restarted
    samples_.emplace_back(t, done);
    while (samples_.size() > 2 && t - samples_[1].first >= window_) samples_.pop_front();
}

double RateMeter::bytes_per_second() const {
    if (samples_.size() < 2) return 0;
    const double dt = samples_.back().first - samples_.front().first;
    if (dt <= 0) return 0;
    return double(samples_.back().second - samples_.front().second) / dt;
}

namespace {

std::string percent_text(const ProgressState& s) {
    char buf[16];
    const double pct = 100.0 * double(s.done) / double(s.total);
    std::snprintf(buf, sizeof buf, "%3d%%", int(std::min(100.0, std::floor(pct))));
    return buf;
}

std::string eta_text(const ProgressState& s) {
    if (s.total == 0 || s.bytes_per_second <= 0) return "ETA ?";
    if (s.done >= s.total) return "ETA 0:00";
    return "ETA " + format_duration(double(s.total - s.done) / s.bytes_per_second);
}

std::string speed_text(const ProgressState& s) {
    return format_bytes(uint64_t(s.bytes_per_second)) + "/s";
}

// Right-aligns `s` in `width` columns, so the numbers do not make the bar jitter.
std::string pad_left(const std::string& s, size_t width) {
    return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

}  // namespace

std::string progress_bar_line(const std::string& label, const ProgressState& s, int width) {
    std::string tail;
    if (s.total) {
        std::string eta = eta_text(s);
        eta.resize(std::max<size_t>(eta.size(), 11), ' ');
        tail = percent_text(s) + "  " + pad_left(format_bytes(s.done), 8) + " / " +
               format_bytes(s.total) + "  " + pad_left(speed_text(s), 10) + "  " + eta;
    } else {
        tail = format_bytes(s.done) + "  " + speed_text(s);
    }
    std::string name = label;
    // label + "  " + [bar] + "  " + tail; the bar takes what is left, at least 10 columns.
    int room = width - int(tail.size()) - 2;
    if (room < int(name.size()) + 2 + 12 || !s.total) {
        // No room for a bar: shorten the label instead.
        const int max_label = std::max(0, room);
        if (int(name.size()) > max_label)
            name = max_label > 3 ? name.substr(0, max_label - 3) + "..." : "";
        std::string line = name.empty() ? tail : name + "  " + tail;
        if (int(line.size()) > width) line.resize(std::max(0, width));
        return line;
    }
    const int bar_inner = room - int(name.size()) - 2 - 2;  // minus "  " and the brackets
    const double frac = std::min(1.0, double(s.done) / double(s.total));
    const int filled = int(frac * bar_inner);
    std::string bar(1, '[');
    bar.append(size_t(filled), '=');
    if (filled < bar_inner) {
        bar += '>';
        bar.append(size_t(bar_inner - filled - 1), ' ');
    }
    bar += ']';
    return name + "  " + bar + "  " + tail;
}

std::string progress_plain_line(const std::string& label, const ProgressState& s) {
    if (!s.total) return label + ": " + format_bytes(s.done) + " (" + speed_text(s) + ")";
    std::string pct = percent_text(s);
    pct.erase(0, pct.find_first_not_of(' '));
    return label + ": " + pct + " (" + format_bytes(s.done) + " of " + format_bytes(s.total) +
           ", " + speed_text(s) + ", " + eta_text(s) + ")";
}

ProgressReporter::ProgressReporter(FILE* out, bool tty, std::string label)
    : out_(out), tty_(tty), label_(std::move(label)), start_(std::chrono::steady_clock::now()) {}

double ProgressReporter::now() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

bool ProgressReporter::stream_is_terminal(FILE* out) {
    return ::isatty(::fileno(out)) == 1;
}

void ProgressReporter::update(uint64_t done, uint64_t total) {
    if (!started_) started_ = true, start_done_ = done;
    const double t = now();
    if (done != last_done_) last_done_ = done, last_change_ = t;
    rate_.add(t, done);
    const ProgressState s{done, total, rate_.bytes_per_second()};
    if (tty_) {
        if (t - last_draw_ < 0.1) return;  // ten redraws a second are plenty
        last_draw_ = t;
        draw(s);
        return;
    }
    if (!total) return;
    const int decile = int(10 * double(done) / double(total));
    if (decile == last_decile_) return;
    const bool first = last_decile_ < 0;
    last_decile_ = decile;
    if (first && decile == 0) return;  // "0%" says nothing
    if (decile >= 10) return;          // finish() prints the last line
    draw(s);
}

void ProgressReporter::finish(uint64_t done, uint64_t total) {
    if (!started_) started_ = true, start_done_ = done;
    // The average over this run's transfer (not the digest check and sync after it) is the honest
    // final speed.
    const double t = last_change_ > 0 ? last_change_ : now();
    const double fresh = done > start_done_ ? double(done - start_done_) : 0.0;
    const ProgressState s{done, total, t > 0 ? fresh / t : 0};
    draw(s);
    interrupt();
    std::fflush(out_);
}

void ProgressReporter::interrupt() {
    if (!tty_ || !on_line_) return;
    std::fputc('\n', out_);
    std::fflush(out_);
    on_line_ = false;
}

void ProgressReporter::draw(const ProgressState& s) {
    if (tty_) {
        const std::string line = progress_bar_line(label_, s, terminal_width(out_) - 1);
        std::fprintf(out_, "\r%s\x1b[K", line.c_str());
        on_line_ = true;
    } else {
        std::fprintf(out_, "%s\n", progress_plain_line(label_, s).c_str());
    }
    std::fflush(out_);
}

int terminal_width(FILE* out) {
    struct winsize ws {};
    if (::ioctl(::fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    if (const char* cols = std::getenv("COLUMNS")) {
        const int c = std::atoi(cols);
        if (c > 0) return c;
    }
    return 80;
}

}  // namespace qe::fetch
