"""Read a MARC file with pymrrc exactly as one would with pymarc.

    python examples/read_sample.py examples/data/sample.mrc

Prints how many records were read, the first few titles and authors, the
most common subjects, checks that every record re-serialises to the bytes it
was read from, and reports the reading speed.
"""

import collections
import sys
import time

import pymrrc as pymarc  # the one-line switch from pymarc


def main(path):
    started = time.perf_counter()
    subjects = collections.Counter()
    records = errors = identical = 0
    with open(path, "rb") as handle:
        reader = pymarc.MARCReader(handle)
        for record in reader:
            if record is None:
                errors += 1
                print(f"bad record: {reader.current_exception!r}")
                continue
            records += 1
            if records <= 5:
                print(f"{record['001'].value():>12}  {record.title}  / {record.author}")
            for field in record.subjects:
                subjects[field.format_field()] += 1
    elapsed = time.perf_counter() - started

    with open(path, "rb") as handle:
        raw = handle.read()
    offset = 0
    for record in pymarc.MARCReader(raw):
        length = int(raw[offset : offset + 5])
        identical += record.as_marc() == raw[offset : offset + length]
        offset += length

    print(f"\n{records} records, {errors} errors, read in {elapsed * 1000:.1f} ms "
          f"({records / elapsed:,.0f} records/s)")
    print(f"{identical} of {records} records re-serialise byte for byte")
    print("most common subjects:")
    for subject, count in subjects.most_common(5):
        print(f"  {count:3}  {subject}")
    return 0 if errors == 0 and identical == records else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "examples/data/sample.mrc"))
