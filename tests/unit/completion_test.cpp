#include "util/completion.h"

#include <doctest/doctest.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <thread>

using contactd::Completion;
using namespace std::chrono_literals;

namespace {

double thread_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

}  // namespace

TEST_SUITE("util::completion") {
    TEST_CASE("Completion: wait returns at once when done came first") {
        Completion c;
        c.done();
        c.wait();
        c.wait();  // and stays done
    }

    TEST_CASE("Completion: a waiter sleeps until done, without burning CPU") {
        Completion c;
        std::atomic<bool> returned{false};
        double cpu = 0;
        std::thread waiter([&] {
            const double before = thread_cpu_seconds();
            c.wait();
            cpu = thread_cpu_seconds() - before;
            returned = true;
        });
        std::this_thread::sleep_for(200ms);
        CHECK_FALSE(returned.load());
        c.done();
        waiter.join();
        CHECK(returned.load());
        CHECK(cpu < 0.02);  // asleep for 200 ms, not polling
    }

    TEST_CASE("Completion: the waiter may destroy it as soon as wait returns") {
        // The pattern of a group commit: each write's completion lives on its waiter's stack,
        // and the writer thread signals it. Under ASan a late touch of a dead one is an error.
        std::mutex mutex;
        std::deque<Completion*> queue;
        std::atomic<bool> stop{false};
        std::thread signaller([&] {
            while (!stop) {
                Completion* next = nullptr;
                {
                    std::lock_guard lock(mutex);
                    if (!queue.empty()) {
                        next = queue.front();
                        queue.pop_front();
                    }
                }
                if (next) next->done();
            }
        });
        for (int i = 0; i < 5000; ++i) {
            auto* c = new Completion;
            {
                std::lock_guard lock(mutex);
                queue.push_back(c);
            }
            c->wait();
            delete c;
        }
        stop = true;
        signaller.join();
    }
}
