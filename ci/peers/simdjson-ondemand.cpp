// Peer benchmark: simdjson On-Demand (Debian's libsimdjson-dev) visiting every value of a JSON file: every key
// unescaped, every string unescaped, every number converted, every container entered. Built and run by
// ci/peers/simdjson-peer with -O3 -march=native; prints one JSON line per file with the median MB/s (10^6 bytes/s)
// over the runs, in the same shape as the yajl peer, so it can be read beside `sluice-bench run` results from the
// same session. simdjson has no chunked mode: the file is parsed whole, from a padded copy made before timing.
#include <simdjson.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace simdjson;

static size_t visited;

static error_code traverse(ondemand::value value) {
    ondemand::json_type type;
    if (auto error = value.type().get(type)) return error;
    switch (type) {
    case ondemand::json_type::object: {
        ondemand::object object;
        if (auto error = value.get_object().get(object)) return error;
        for (auto field : object) {
            std::string_view key;
            if (auto error = field.unescaped_key().get(key)) return error;
            visited += key.size() > 0;
            ondemand::value member;
            if (auto error = field.value().get(member)) return error;
            if (auto error = traverse(member)) return error;
        }
        return SUCCESS;
    }
    case ondemand::json_type::array: {
        ondemand::array array;
        if (auto error = value.get_array().get(array)) return error;
        for (auto element : array) {
            ondemand::value item;
            if (auto error = element.get(item)) return error;
            if (auto error = traverse(item)) return error;
        }
        return SUCCESS;
    }
    case ondemand::json_type::number: {
        ondemand::number number;
        if (auto error = value.get_number().get(number)) return error;
        visited++;
        return SUCCESS;
    }
    case ondemand::json_type::string: {
        std::string_view text;
        if (auto error = value.get_string().get(text)) return error;
        visited += text.size() > 0;
        return SUCCESS;
    }
    case ondemand::json_type::boolean: {
        bool flag;
        if (auto error = value.get_bool().get(flag)) return error;
        visited += flag;
        return SUCCESS;
    }
    case ondemand::json_type::null: {
        bool isNull;
        if (auto error = value.is_null().get(isNull)) return error;
        visited++;
        return SUCCESS;
    }
    }
    return INCORRECT_TYPE;
}

static bool parse(ondemand::parser &parser, const padded_string &json) {
    ondemand::document document;
    if (parser.iterate(json).get(document)) return false;
    ondemand::value root;
    if (document.get_value().get(root)) return false;
    if (traverse(root)) return false;
    return true;
}

int main(int argc, char **argv) {
    if (argc < 2) { std::fprintf(stderr, "usage: simdjson-ondemand FILE [RUNS]\n"); return 2; }
    padded_string json;
    if (padded_string::load(argv[1]).get(json)) { std::perror(argv[1]); return 1; }
    int runs = argc > 2 ? std::atoi(argv[2]) : 15;
    if (runs < 1) runs = 1;
    ondemand::parser parser;
    std::vector<double> rates;
    for (int r = 0; r < runs; r++) {
        // Each sample parses the file enough times to last about 50 ms.
        int repeat = 0;
        auto start = std::chrono::steady_clock::now();
        double elapsed;
        do {
            if (!parse(parser, json)) { std::fprintf(stderr, "%s: simdjson rejected the file\n", argv[1]); return 1; }
            repeat++;
            elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        } while (elapsed < 0.05);
        rates.push_back(double(json.size()) * repeat / elapsed / 1e6);
    }
    std::sort(rates.begin(), rates.end());
    std::printf("{\"file\":\"%s\",\"mode\":\"whole\",\"medianMBps\":%.1f,\"runs\":%d,\"implementation\":\"%s\"}\n", argv[1],
                rates[runs / 2], runs, simdjson::get_active_implementation()->name().data());
    return visited == 0;
}
