// doctest's main, with one guard: a run filtered by --test-case that matches no test case
// fails. CTest runs each case by name (doctest_discover_tests); a name CMake splits (a ';'
// in it) would otherwise match nothing and "pass" without running.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <string_view>

namespace {

int g_cases_run = -1;  // set at the end of a run

struct RunCounter : doctest::IReporter {
    explicit RunCounter(const doctest::ContextOptions&) {}
    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats& stats) override {
        g_cases_run = static_cast<int>(stats.numTestCasesPassingFilters);
    }
    void test_case_start(const doctest::TestCaseData&) override {}
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_end(const doctest::CurrentTestCaseStats&) override {}
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData&) override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}
};

}  // namespace

DOCTEST_REGISTER_LISTENER("run_counter", 1, RunCounter);

int main(int argc, char** argv) {
    doctest::Context context(argc, argv);
    const int result = context.run();
    if (context.shouldExit()) return result;  // --help, --list-test-cases, ...
    bool by_name = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        by_name = by_name || arg.rfind("--test-case=", 0) == 0 || arg.rfind("-tc=", 0) == 0;
    }
    if (result == 0 && by_name && g_cases_run == 0) {
        std::fprintf(stderr, "no test case matches the --test-case filter: nothing was tested\n");
        return 1;
    }
    return result;
}
