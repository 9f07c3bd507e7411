// SPDX-License-Identifier: Apache-2.0
//
// A stand-in for libFuzzer where clang is not available: runs every file of
// the corpus directories given on the command line through
// LLVMFuzzerTestOneInput, then N random mutations of them (byte flips,
// inserts, deletes, splices). Built with -fsanitize=address,undefined so a
// memory error still aborts. Usage: fuzz_token [-runs=N] [-seed=S] DIR...

#include <QDir>
#include <QFile>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {
int run(const std::string &input)
{
    return LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(input.data()), input.size());
}
} // namespace

int main(int argc, char **argv)
{
    long runs = 20000;
    unsigned seed = 1;
    std::vector<std::string> corpus;
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "-runs=", 6) == 0) {
            runs = std::atol(argv[i] + 6);
        } else if (std::strncmp(argv[i], "-seed=", 6) == 0) {
            seed = unsigned(std::atol(argv[i] + 6));
        } else if (argv[i][0] != '-') {
            const QDir dir(QString::fromLocal8Bit(argv[i]));
            for (const QString &name : dir.entryList(QDir::Files)) {
                QFile f(dir.filePath(name));
                if (f.open(QIODevice::ReadOnly))
                    corpus.push_back(f.readAll().toStdString());
            }
        }
    }
    if (corpus.empty())
        corpus.emplace_back();
    for (const std::string &input : corpus)
        run(input);

    std::mt19937 rng(seed);
    const auto pick = [&rng](size_t n) { return n ? size_t(rng() % n) : 0; };
    for (long i = 0; i < runs; ++i) {
        std::string input = corpus[pick(corpus.size())];
        const int edits = 1 + int(pick(8));
        for (int e = 0; e < edits; ++e) {
            switch (pick(5)) {
            case 0:
                if (!input.empty())
                    input[pick(input.size())] ^= char(1u << pick(8));
                break;
            case 1:
                input.insert(input.begin() + long(pick(input.size() + 1)), char(rng()));
                break;
            case 2:
                if (!input.empty())
                    input.erase(pick(input.size()), 1 + pick(4));
                break;
            case 3: {
                const std::string &other = corpus[pick(corpus.size())];
                const size_t from = pick(other.size() + 1);
                input.insert(pick(input.size() + 1), other.substr(from, pick(other.size() - from + 1)));
                break;
            }
            default: {
                static const char kSpecial[] = "%&=/+#\n";
                input.insert(pick(input.size() + 1), 1, kSpecial[pick(sizeof kSpecial - 1)]);
                break;
            }
            }
        }
        if (input.size() > 4096)
            input.resize(4096);
        run(input);
    }
    std::printf("fuzz_token: %zu corpus inputs and %ld mutations ran cleanly\n", corpus.size(), runs);
    return 0;
}
