import Foundation

// The inference client arrives with issue #7; until then this program says so rather than pretend.
FileHandle.standardError.write(Data("mntrading-infer: not implemented yet: the inference client is planned (issue #7); this build has the data foundation only\n".utf8))
exit(2)
