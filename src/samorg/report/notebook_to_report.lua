-- samorg: turn an executed notebook (pandoc's ipynb reader, --ipynb-output=all)
-- into the body of a printed report.
--
--  * code cells lose their source unless metadata `samorg-show-code` is true;
--  * stderr streams (warnings, progress bars) are dropped, unless code is shown;
--  * pandas' HTML tables (a raw HTML block, the table inside a <div>) are
--    parsed into pandoc tables so that Typst typesets them;
--  * where an output has a richer form (image, table, markdown), its
--    text/plain duplicate (a code block) is dropped;
--  * an image whose output carries alt text (attribute `alt`, from the output's
--    metadata: samorg.report.figure_alt) becomes Typst's `image(..., alt: ...)`,
--    so the tagged PDF describes it (a Markdown image's own alt text is used
--    likewise); an image alone in its paragraph is a centred block.
--  * a figure cell followed by its caption ("Figur N: ...") is kept on one page.

local function has_class(el, name)
  for _, c in ipairs(el.classes) do
    if c == name then return true end
  end
  return false
end

local function is_number(text)
  -- "1 234,5", "12.5 %", "−3": digits with separators (also no-break spaces and the minus sign)
  local t = text:gsub("\u{a0}", ""):gsub("\u{202f}", ""):gsub("\u{2212}", "-")
  return t:match("^%s*[%-+]?[%d%.,%s]*%d[%d%.,%s]*%%?%s*$") ~= nil
end

-- Numbers right, text (and the index column) left, as in the notebook.
local function align_columns(tbl)
  local ncols = #tbl.colspecs
  local numeric = {}
  for i = 1, ncols do numeric[i] = nil end
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      for i, cell in ipairs(row.cells) do
        local text = pandoc.utils.stringify(cell.contents)
        if text ~= "" and i <= ncols then
          numeric[i] = (numeric[i] ~= false) and is_number(text)
        end
      end
    end
  end
  for i = 1, ncols do
    local align = numeric[i] and pandoc.AlignRight or pandoc.AlignLeft
    tbl.colspecs[i] = { align, tbl.colspecs[i][2] }
  end
  return tbl
end

local function html_to_blocks(raw)
  local ok, doc = pcall(pandoc.read, raw.text, "html")
  if not ok then return {} end
  return doc.blocks:walk({ Table = align_columns })
end

local function typst_string(text)
  local out = text:gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("\n", " "):gsub("\r", " ")
  return '"' .. out .. '"'
end

local media_dir = nil  -- --extract-media's folder (metadata samorg-media-dir)

local function typst_image(img)
  local alt = img.attributes["alt"]
  if alt == nil or alt == "" then
    alt = pandoc.utils.stringify(img.caption)
  end
  -- pandoc writes a notebook's images to the media folder after the filters have run, and rewrites
  -- only the paths it typesets itself: a raw image names the extracted file.
  local src = img.src
  if media_dir and pandoc.mediabag.lookup(src) ~= nil then src = media_dir .. "/" .. src end
  local args = typst_string(src)
  if alt ~= "" then args = args .. ", alt: " .. typst_string(alt) end
  return "image(" .. args .. ")"
end

-- A paragraph that is only an image: a centred block (at most the text width: Typst's default).
local function image_blocks(blocks)
  blocks = blocks:walk({
    Para = function(para)
      if #para.content == 1 and para.content[1].t == "Image" then
        return pandoc.RawBlock("typst", "#align(center, " .. typst_image(para.content[1]) .. ")")
      end
    end,
  })
  return blocks:walk({
    Image = function(img)
      return pandoc.RawInline("typst", "#box(" .. typst_image(img) .. ")")
    end,
  })
end

-- A cell that draws only a figure (after image_blocks: centred raw Typst images).
local function figure_only(b)
  if b.t == "RawBlock" then
    return b.format == "typst" and b.text:match("^#align%(center, image%(") ~= nil
  end
  if b.t == "Div" and #b.content > 0 then
    for _, c in ipairs(b.content) do
      if not figure_only(c) then return false end
    end
    return true
  end
  return false
end

local function is_figure_caption(b)
  local text = pandoc.utils.stringify(b)
  return text:match("^Figur%s+%d+:") ~= nil or text:match("^Figure%s+%d+:") ~= nil
end

-- A figure and the caption under it stay on one page (an unbreakable block): a page break between
-- them left "Figur N: ..." at the top of the next page, away from what it describes.
local function keep_figures_with_captions(blocks)
  local out, i = pandoc.List(), 1
  while i <= #blocks do
    local b, nxt = blocks[i], blocks[i + 1]
    if nxt and figure_only(b) and is_figure_caption(nxt) then
      out:insert(pandoc.RawBlock("typst", "#block(breakable: false, width: 100%)["))
      out:insert(b)
      out:insert(nxt)
      out:insert(pandoc.RawBlock("typst", "]"))
      i = i + 2
    else
      out:insert(b)
      i = i + 1
    end
  end
  return out
end

local function clean_output(div, show_code)
  if has_class(div, "stream") then
    if has_class(div, "stderr") and not show_code then return nil end
    return div
  end
  local rich, blocks = false, pandoc.List()
  for _, b in ipairs(div.content) do
    if b.t == "RawBlock" and (b.format == "html" or b.format == "html5") then
      local parsed = html_to_blocks(b)
      if #parsed > 0 then
        rich = true
        blocks:extend(parsed)
      end
    elseif b.t == "RawBlock" then
      -- other raw formats (latex, javascript, ...) cannot be typeset
    elseif b.t == "CodeBlock" then
      blocks:insert(b)
    else
      rich = true
      blocks:insert(b)
    end
  end
  if rich then
    blocks = blocks:filter(function(b) return b.t ~= "CodeBlock" end)
  end
  if #blocks == 0 then return nil end
  div.content = blocks
  return div
end

local function clean_code_cell(div, show_code)
  local content = pandoc.List()
  for _, b in ipairs(div.content) do
    if b.t == "CodeBlock" then
      if show_code then content:insert(b) end
    elseif b.t == "Div" and has_class(b, "output") then
      local out = clean_output(b, show_code)
      if out then content:insert(out) end
    else
      content:insert(b)
    end
  end
  if #content == 0 then return {} end
  div.content = content
  return div
end

function Pandoc(doc)
  local show_code = doc.meta["samorg-show-code"] == true
    or pandoc.utils.stringify(doc.meta["samorg-show-code"] or "") == "true"
  doc.blocks = doc.blocks:walk({
    Div = function(div)
      if has_class(div, "cell") and has_class(div, "code") then
        return clean_code_cell(div, show_code)
      end
      -- A cell holding only headings is unwrapped, so each heading stays on the page of what
      -- follows it (Typst keeps a heading with the next block only within the same container).
      if has_class(div, "cell") then
        local only_headings = #div.content > 0
        for _, b in ipairs(div.content) do
          if b.t ~= "Header" then only_headings = false end
        end
        if only_headings then return div.content end
      end
    end,
  })
  local media = doc.meta["samorg-media-dir"]
  media_dir = media and pandoc.utils.stringify(media) or nil
  doc.blocks = keep_figures_with_captions(image_blocks(doc.blocks))
  doc.meta["samorg-show-code"] = nil
  doc.meta["samorg-media-dir"] = nil
  return doc
end
