// The publications table over the real SQLite store: pages, tallies and lookups by number as the
// console and acknowledgements ask for them (PublicationQuery), and a file written before the
// status column existed, migrated when the store opens it.
#include <gtest/gtest.h>
#include <sqlite3.h>


#include "collector/store/SqliteEventStore.hpp"
#include "tests/collector/TempSqliteFile.hpp"

using namespace gsoc::collector;

namespace {

class PublicationStoreTest : public ::testing::Test {
 protected:
  static std::vector<std::string> ids(const std::vector<Publication>& ps) {
    std::vector<std::string> out;
    for (const auto& p : ps) out.push_back(p.id);
    return out;
  }
  TempSqliteFile db_{"gsoc-publications"};
  const std::string path_ = db_.path();
};

Publication notice(const std::string& n, const std::string& agency, const std::string& status, std::int64_t at) {
  return Publication{"notice", "N:C-1:" + agency + n, "N-2026-" + n, "C-1", agency, at, "{}", status};
}

}  // namespace

TEST_F(PublicationStoreTest, SelectsPagesTalliesAndFindsByNumber) {
  SqliteEventStore store(path_);
  store.upsertPublication(Publication{"campaign", "C-1", "", "C-1", "", 10, "{}", "active"});
  store.upsertPublication(Publication{"warning", "W:C-1", "W-2026-0001", "C-1", "", 20, "{}", ""});
  store.upsertPublication(notice("0001", "MOFA", "new", 30));
  store.upsertPublication(notice("0002", "MOFA", "acknowledged", 40));
  store.upsertPublication(notice("0003", "MOD", "new", 50));
  store.upsertPublication(Publication{"campaign", "C-2", "", "C-2", "", 60, "{}", "closed"});

  PublicationQuery q;
  EXPECT_EQ(ids(store.selectPublications(q)),
            (std::vector<std::string>{"C-1", "W:C-1", "N:C-1:MOFA0001", "N:C-1:MOFA0002", "N:C-1:MOD0003", "C-2"}));
  q.kinds = {"notice"};
  q.statuses = {"new"};
  q.newest_first = true;
  EXPECT_EQ(ids(store.selectPublications(q)), (std::vector<std::string>{"N:C-1:MOD0003", "N:C-1:MOFA0001"}));
  q.limit = 1;
  q.offset = 1;
  EXPECT_EQ(ids(store.selectPublications(q)), std::vector<std::string>{"N:C-1:MOFA0001"});
  q = PublicationQuery{};
  q.agency_id = "MOFA";
  q.updated_since_ns = 35;
  EXPECT_EQ(ids(store.selectPublications(q)), std::vector<std::string>{"N:C-1:MOFA0002"});
  q = PublicationQuery{};
  q.campaign_id = "C-1";
  q.updated_before_ns = 30;
  EXPECT_EQ(ids(store.selectPublications(q)), (std::vector<std::string>{"C-1", "W:C-1"}));
  q = PublicationQuery{};
  q.offset = 5;  // an offset without a limit
  EXPECT_EQ(ids(store.selectPublications(q)), std::vector<std::string>{"C-2"});
  q = PublicationQuery{};
  q.number = "N-2026-0002";
  const auto found = store.selectPublications(q);
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found[0].status, "acknowledged");

  const auto tally = store.tallyPublications("notice");
  ASSERT_EQ(tally.size(), 3U);
  EXPECT_EQ(tally[0].agency_id, "MOD");
  EXPECT_EQ(tally[0].status, "new");
  EXPECT_EQ(tally[0].count, 1U);
  EXPECT_EQ(tally[1].agency_id + "/" + tally[1].status, "MOFA/acknowledged");
  EXPECT_EQ(tally[2].agency_id + "/" + tally[2].status, "MOFA/new");

  // An update moves the record to its new status.
  store.upsertPublication(notice("0001", "MOFA", "closed", 70));
  EXPECT_EQ(store.publication("notice", "N:C-1:MOFA0001")->status, "closed");
}

TEST_F(PublicationStoreTest, AFileFromBeforeTheStatusColumnIsMigratedFromItsJson) {
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    const char* old = R"SQL(
      CREATE TABLE publications(kind TEXT NOT NULL, id TEXT NOT NULL, number TEXT NOT NULL, campaign_id TEXT NOT NULL,
        agency_id TEXT NOT NULL, updated_ns INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY(kind, id));
      INSERT INTO publications VALUES('notice', 'N:C-1:MOFA', 'N-2025-0001', 'C-1', 'MOFA', 1, '{"state":"STATE_ACKNOWLEDGED"}');
      INSERT INTO publications VALUES('notice', 'N:C-1:MOD', 'N-2025-0002', 'C-1', 'MOD', 2, '{"number":"N-2025-0002"}');
      INSERT INTO publications VALUES('campaign', 'C-1', '', 'C-1', '', 3, '{"status":"STATUS_DORMANT"}');
      INSERT INTO publications VALUES('warning', 'W:C-1', 'W-2025-0001', 'C-1', '', 4, '{"class":"CLASS_WARNING"}');
    )SQL";
    ASSERT_EQ(sqlite3_exec(db, old, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  for (int open = 0; open < 2; ++open) {  // the second open finds the column and changes nothing
    SqliteEventStore store(path_);
    EXPECT_EQ(store.publication("notice", "N:C-1:MOFA")->status, "acknowledged");
    EXPECT_EQ(store.publication("notice", "N:C-1:MOD")->status, "");  // unspecified in the JSON
    EXPECT_EQ(store.publication("campaign", "C-1")->status, "dormant");
    EXPECT_EQ(store.publication("warning", "W:C-1")->status, "");
  }
}
