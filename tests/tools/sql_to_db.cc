// sql_to_db OUT.db IN.sql...: a new SQLite file from SQL text, the files run in order, for
// hand-built fixtures (a sweep's results file, tests/data/results_small.sql, and one made from it,
// tests/data/results_noisy_tick.sql) in scripts/browser_test.sh. Refuses an existing OUT.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "engine/storage/database.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: sql_to_db OUT.db IN.sql...\n";
    return 2;
  }
  if (std::filesystem::exists(argv[1])) {
    std::cerr << "sql_to_db: " << argv[1] << " exists\n";
    return 2;
  }
  std::stringstream sql;
  for (int i = 2; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    sql << in.rdbuf() << '\n';
    if (!in) {
      std::cerr << "sql_to_db: cannot read " << argv[i] << "\n";
      return 2;
    }
  }
  try {
    yl::storage::Database db(argv[1], yl::storage::Database::Mode::read_write_create);
    db.exec(sql.str());
  } catch (const std::exception& error) {
    std::cerr << "sql_to_db: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
