print("hookwalk")
