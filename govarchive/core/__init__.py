"""The ground floor: configuration, items, ids, HTTP data and text helpers every layer uses."""
