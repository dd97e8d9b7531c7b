// SPDX-License-Identifier: Apache-2.0
// A model's tracked columns: features, prediction and label, placed in their windows.

extension ModelState {
    /// Records the features of a batch's accepted events, column by column over blocks of
    /// events that share their version and name list: the column's reference lookup and
    /// pending sketch stay in cache while its values are placed, instead of every column's
    /// being touched once per event.
    mutating func record(_ batch: inout FeatureBatch, now: Double) {
        guard !batch.rows.isEmpty else { return }
        let unit = CascadingWindows<FeatureSketch>.unitNumber(now, unit: columnUnit)
        var start = 0
        while start < batch.rows.count {
            let first = batch.rows[start]
            var end = start + 1
            while end < batch.rows.count, end - start < FeatureBatch.block, batch.rows[end].version == first.version,
                  batch.rows[end].features.names === first.features.names {
                end += 1
            }
            recordBlock(batch.rows[start..<end], version: Int(first.version), names: first.features.names, unit: unit, now: now)
            start = end
        }
        batch.rows.removeAll(keepingCapacity: true)
    }

    /// Records `rows` (one version, one name list) column by column.
    mutating func recordBlock(_ rows: ArraySlice<FeatureBatch.Row>, version v: Int, names: FeatureNames,
                                      unit: Int64, now: Double) {
        var map = columnMap  // moved out for the call: its lookup adds columns to self
        columnMap = FeatureColumnMap()
        let columnOf = map.columns(of: names) { column(named: $0) }
        columnMap = map
        // The version's column windows, moved out so that the loop updates them in place.
        var windows: [ColumnWindows] = []
        swap(&windows, &versions[v].columns)
        defer { swap(&windows, &versions[v].columns) }
        if windows.count < columns.count {
            windows.reserveCapacity(columns.count)
            while windows.count < columns.count { windows.append(ColumnWindows(options: options)) }
        }
        let generation = referenceGeneration
        var untracked: UInt64 = 0
        // Per block, one column's numbers or category cells, gathered before they are placed.
        withUnsafeTemporaryAllocation(of: Double.self, capacity: rows.count) { gathered in
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: rows.count) { cells in
                rows.withUnsafeBufferPointer { rows in  // rows borrowed in place: no retain per value
                    for position in columnOf.indices {
                        let c = Int(columnOf[position])
                        if c < 0 {
                            for i in rows.indices where !rows[i].features.packed[position].isMissing { untracked += 1 }
                            continue
                        }
                        if columns[c].type == nil,
                           let i = rows.indices.first(where: { !rows[$0].features.packed[position].isMissing }) {
                            inferType(column: c, from: rows[i].features.value(at: position))
                        }
                        let placer = columns[c].placer
                        let cellCount = placer.cellCount
                        if let lookup = placer.numericCells {
                            // The common case, specialised: numbers placed against a numeric reference
                            // (a category in a numeric column counts as missing).
                            // Gathered first (a category or missing value is not finite), then placed
                            // in one loop.
                            for i in rows.indices { gathered[i] = Double(bitPattern: rows[i].features.packedValue(unchecked: position).bits) }
                            windows[c].record(numbers: UnsafeBufferPointer(gathered), lookup: lookup,
                                              cellCount: cellCount, generation: generation, unit: unit, now: now)
                            continue
                        }
                        var numbers = 0  // numbers in a column of categories: the rare case, one by one below
                        if placer.placesCategories {
                            // Each category's cell gathered first (−1: not a category), then counted.
                            // The cache is checked against this reference and the column count
                            // once per block, and against each row's strings by identity.
                            categoryCells.use(rows[0].features.categories, generation: generation, columns: columns.count)
                            for i in rows.indices {
                                let value = rows[i].features.packedValue(unchecked: position)
                                guard let k = value.categoryIndex else {
                                    if value.number != nil { numbers &+= 1 }
                                    cells[i] = -1
                                    continue
                                }
                                if rows[i].features.categories !== categoryCells.table {
                                    categoryCells.use(rows[i].features.categories, generation: generation, columns: columns.count)
                                }
                                cells[i] = Int32(truncatingIfNeeded: categoryCells.cell(column: c, index: k) { placer.categoryCell(of: $0)! })
                            }
                            windows[c].record(cells: UnsafeBufferPointer(cells), cellCount: cellCount, generation: generation, unit: unit, now: now)
                            if numbers == 0 { continue }
                        }
                        for i in rows.indices {
                            let value = rows[i].features.packed[position]
                            let placement: Placement
                            if let x = value.number {
                                placement = placer.place(number: x)
                            } else if value.categoryIndex != nil {
                                if placer.placesCategories { continue }  // recorded above
                                placement = placer.placeUncelledCategory()
                            } else {
                                continue  // missing
                            }
                            windows[c].record(placement, cellCount: cellCount, generation: generation, unit: unit, now: now)
                        }
                    }
                }
            }
        }
        untrackedFeatureValues &+= untracked
    }

    /// Types an untyped column from its first value.
    mutating func inferType(column c: Int, from value: FeatureValue) {
        switch value {
        case .number: columns[c].type = .numeric
        case .category: columns[c].type = .categorical
        case .missing: break
        }
    }

    /// Records the value of the prediction or label column, or of one feature.
    mutating func record(_ value: FeatureValue, column c: Int, version v: Int, unit: Int64, now: Double) {
        if columns[c].type == nil { inferType(column: c, from: value) }
        let placer = columns[c].placer
        let placement = placer.place(value)
        if case .none = placement { return }
        while versions[v].columns.count <= c { versions[v].columns.append(ColumnWindows(options: options)) }
        versions[v].columns[c].record(placement, cellCount: placer.cellCount, generation: referenceGeneration,
                                      unit: unit, now: now)
    }

    /// The column of input feature `name`, created on first sight; nil beyond `maxFeatures`.
    mutating func column(named name: String) -> Int? {
        if let c = columnIndex[name] { return c }
        guard columns.count - 2 < options.maxFeatures else { return nil }
        columns.append(TrackedColumn(name: name, role: .input, type: options.features[name]?.type))
        columnIndex[name] = columns.count - 1
        return columns.count - 1
    }

    /// Sets a column's type; windows that counted values as the other type start over.
    mutating func retype(_ c: Int, to type: FeatureType) {
        guard columns[c].type != type else { return }
        let counted = columns[c].type != nil
        columns[c].type = type
        guard counted else { return }
        for v in versions.indices where c < versions[v].columns.count {
            versions[v].columns[c] = ColumnWindows(options: options)
        }
    }
}
