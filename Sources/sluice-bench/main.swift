import SluiceBench

print("sluice-bench \(HarnessInfo.version): jemalloc \(HarnessInfo.isJemallocAvailable ? "available" : "unavailable")")
