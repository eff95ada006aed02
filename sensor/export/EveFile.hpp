#pragma once
// EveFile: one EVE output file shared by the workers. Each worker formats its records with its
// own EveWriter into its own buffer and hands whole lines here, so the workers share only a
// short append under this lock (issue 17: one lock around the formatting kept the sensor from
// scaling past one worker on event-heavy traffic). Reopened on SIGUSR1 after logrotate.

#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace gsoc::sensor {

class EveFile {
 public:
  // Truncate: a capture replay's output is that capture's result alone. Append: a live sensor's
  // EVE survives a restart, as Suricata's does.
  enum class OpenMode { truncate, append };
  // Throws std::runtime_error when the file cannot be created.
  EveFile(std::string path, OpenMode mode);

  // Thread-safe. Whole lines, each ending in a newline.
  void write(std::string_view lines);
  // Closes the file and opens the same path again, appending: after logrotate has renamed it, the
  // records go to a new file (SIGUSR1). Throws std::runtime_error when it cannot be created; the
  // file then takes no records until a later reopen() succeeds.
  void reopen();
  void flush();
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::mutex mutex_;
  std::string path_;
  std::unique_ptr<char[]> buffer_;  // the stream's, 1 MiB
  std::ofstream out_;
};

}  // namespace gsoc::sensor
