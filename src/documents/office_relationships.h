// Office Open XML's relationship parts: which part an r:id names.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "documents/xml_tree.h"
#include "documents/zip_archive.h"

namespace qe::documents {

// Id -> the target part's full name in the archive, from the .rels part of `part`
// ("ppt/presentation.xml" -> "ppt/_rels/presentation.xml.rels"). Empty when there is none.
std::map<std::string, std::string> read_relationships(ZipArchive& zip, std::string_view part);

// The r:id attribute of an element (transitional or strict namespace).
std::string relationship_id(const XmlNode* node);

}  // namespace qe::documents
