// Download progress for people: a bar with speed and ETA redrawn in place on a terminal, plain
// lines every 10% otherwise (logs, CI, systemd journal).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <string>
#include <utility>

namespace qe::fetch {

// "999 B", "12.3 kB", "531.2 MB", "1.20 GB" (decimal units, as the model hubs show sizes).
std::string format_bytes(uint64_t bytes);

// "0:07", "12:34", "1:02:03"; "?" for a negative or absurd (> 99 h) estimate.
std::string format_duration(double seconds);

// Bytes per second over the last few seconds of samples, so a stall shows up quickly and one
// burst does not dominate.
class RateMeter {
  public:
    explicit RateMeter(double window_seconds = 5.0) : window_(window_seconds) {}
    void add(double t_seconds, uint64_t done);
    double bytes_per_second() const;  // 0 until two samples span some time

  private:
    double window_;
    std::deque<std::pair<double, uint64_t>> samples_;
};

struct ProgressState {
    uint64_t done = 0;
    uint64_t total = 0;  // 0: unknown
    double bytes_per_second = 0;
};

// One line, at most `width` columns: label, a bar (when the total is known and there is room),
// percent, sizes, speed and ETA.
std::string progress_bar_line(const std::string& label, const ProgressState& s, int width);

// The plain form for logs: "label: 40% (212.5 MB of 531.2 MB, 52.3 MB/s, ETA 0:06)".
std::string progress_plain_line(const std::string& label, const ProgressState& s);

class ProgressReporter {
  public:
    // `tty`: redraw one line in place; otherwise print a plain line at each 10% step.
    ProgressReporter(FILE* out, bool tty, std::string label);
    void update(uint64_t done, uint64_t total);
    // Prints the last state with the average speed of this run, ending the line.
    void finish(uint64_t done, uint64_t total);
    // Ends a bar drawn in place, so a message can be printed below it.
    void interrupt();

    static bool stream_is_terminal(FILE* out);

  private:
    double now() const;
    void draw(const ProgressState& s);

    FILE* out_;
    bool tty_;
    std::string label_;
    RateMeter rate_;
    std::chrono::steady_clock::time_point start_;
    double last_draw_ = -1;
    int last_decile_ = -1;
    bool started_ = false;
    uint64_t start_done_ = 0;  // bytes already there when this run began (a resumed download)
    uint64_t last_done_ = 0;
    double last_change_ = -1;  // when `done` last grew
    bool on_line_ = false;     // a bar is drawn on the current line
};

// Columns of the terminal behind `out` ($COLUMNS or 80 when unknown).
int terminal_width(FILE* out);

}  // namespace qe::fetch
