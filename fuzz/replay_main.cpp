// main() for builds without libFuzzer (g++, and the sanitizer build `make asan`): runs a
// fuzz target's LLVMFuzzerTestOneInput once over each file given, or each file in each
// folder given (the committed seeds, fuzz/corpus/<name>/). A crash or a sanitizer report
// fails the run, as under libFuzzer. Exits 1 when no input was found at all.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::vector<std::filesystem::path> inputs_in(const std::filesystem::path& path) {
    std::vector<std::filesystem::path> out;
    if (std::filesystem::is_directory(path)) {
        for (const auto& entry : std::filesystem::directory_iterator(path)) {
            if (entry.is_regular_file()) out.push_back(entry.path());
        }
        std::sort(out.begin(), out.end());
    } else if (std::filesystem::is_regular_file(path)) {
        out.push_back(path);
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t replayed = 0;
    for (int i = 1; i < argc; ++i) {
        for (const auto& file : inputs_in(argv[i])) {
            std::ifstream in(file, std::ios::binary);
            const std::string bytes((std::istreambuf_iterator<char>(in)),
                                    std::istreambuf_iterator<char>());
            // A copy of exactly `size` bytes, so that ASan sees a read past the end.
            const std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
            std::printf("replaying %s (%zu bytes)\n", file.c_str(), data.size());
            static const std::uint8_t kNothing = 0;  // libFuzzer never passes null either
            LLVMFuzzerTestOneInput(data.empty() ? &kNothing : data.data(), data.size());
            ++replayed;
        }
    }
    std::printf("replayed %zu inputs\n", replayed);
    return replayed > 0 ? 0 : 1;
}
