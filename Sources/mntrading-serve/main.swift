import Foundation

// The scoring server arrives with issue #6; until then this program says so rather than pretend.
FileHandle.standardError.write(Data("mntrading-serve: not implemented yet: the scoring server is planned (issue #6); this build has the data foundation only\n".utf8))
exit(2)
