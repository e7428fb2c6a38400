print("octarc")
