// UI strings: Chinese by default, English on request (saved in localStorage).
export const STRINGS = {
  zh: {
    view_dashboard: '考核', dashTitle: '考核评价', exportXlsx: '导出Excel', trendTitle: '趋势', allDistrict: '全区',
    period_last30: '近30天', period_thisMonth: '本月', period_lastMonth: '上月', period_thisYear: '本年', period_custom: '自定义时段',
    level_district: '区县', level_street: '街道', level_community: '社区', level_grid: '网格', level_worker: '网格员', byLevel: '按{level}',
    step_day: '按日', step_week: '按周', step_month: '按月', rank: '排名',
    ind_reported: '上报量', ind_closure_rate: '办结率', ind_on_time_rate: '按期办结率', ind_median_hours_to_close: '办结用时（中位数）',
    ind_overdue_now: '超期未办结', ind_returned_share: '退回率', ind_satisfaction_rate: '满意率', ind_patrol_coverage: '巡查覆盖率',
    ind_grids_without_worker: '无网格员网格', ind_workers_per_10k_residents: '每万人网格员',
    gridsN: '{n}个', perTenK: '{n}名/万人', normNote: '配备标准：每万名常住人口{n}名网格员', drillHint: '点击一行查看下一级', dashEmpty: '该时段没有数据',

    title: '网格化服务管理',
    view_public: '公众地图', view_planner: '规划', view_dispatch: '调度',
    token: '访问令牌', tokenHint: '规划、调度视图需要令牌', save: '保存', signOut: '退出',
    signedInAs: '已登录：{label}（{role}）', role_public: '公众', role_worker: '网格员', role_dispatcher: '调度员', role_planner: '规划员', role_admin: '管理员',
    layers: '图层', communities: '社区', streets: '街道', grids: '网格', roads: '道路',
    buildings: '建筑', stations: '服务站点', workers: '网格员', incidents: '事件',
    search: '搜索服务站点…', nearest: '离我最近', walk15: '15分钟步行圈',
    households: '户数', residents: '人口', floors: '层数', kind: '类型', code: '编码',
    services: '服务内容', hours: '开放时间', address: '地址', name: '名称', status: '状态', category: '类别',
    downloads: '导出报表', downloadLedger: '网格台账（Excel）', downloadStatistics: '事件统计（Excel）',
    downloading: '正在生成…', downloaded: '已下载：{name}', downloadFailed: '导出失败：{detail}',
    loading: '加载中…', loaded: '已加载', noToken: '请输入令牌以查看内部数据', badToken: '令牌无效',
    summary: '概况', clickHint: '点击地图要素查看详情', language: 'English',
    service_centre: '党群服务中心', service_station: '党群服务站', red_outpost: '红色驿站', rider_rest_station: '骑手驿站',
    apartments: '住宅楼', residential: '住宅', house: '平房', school: '学校', hospital: '医院', campus: '校园',
    enterprise: '企业', market: '市场', park: '公园', public: '公共建筑', other: '其他',
    base: '基础网格', dedicated: '专属网格', geolocationFailed: '无法获取位置',
    reported: '已上报', assigned: '已派遣', in_progress: '处理中', resolved: '已办结', closed: '已关闭', returned: '已退回',
    rebalanceTitle: '调整社区', split: '拆分社区', merge: '合并社区', cancel: '取消', preview: '预览', commit: '提交',
    newCodes: '新社区编码（逗号分隔）', newNames: '新社区名称（逗号分隔）',
    splitHint: '点击要拆分的社区', drawHint: '在地图上点击画出分界线，然后预览', mergeHint: '点击要合并的相邻社区（至少两个）',
    picked: '已选', previewOf: '基于版本', buildingsMoved: '栋建筑调整', gridsChanged: '个网格新增或变化',
    gridsRetired: '个网格撤销', workersAffected: '名网格员受影响',
    gridsOutsideBand: '个网格超出容差', unbalanceableGrids: '个无法调平（楼栋规模或地块所限）', allWithinBand: '所有网格均在容差内', conflict: '版本冲突，请重新预览', committed: '已提交为版本',
    basemap: '底图', deviation: '偏离目标', gridBuildings: '建筑数', gridWorkers: '网格员数', stats: '统计',
    histogramTitle: '各网格户数分布', gridsWithin: '在±{pct}%以内', partitionPreview: '划网预览', partitionOf: '划网预览：',
    nearestWorkers: '最近的在岗网格员', assign: '派遣', assignedTo: '已派遣给', reportedAt: '上报时间', incidentCells: '事件数',
    count: '数量', metres: '米', servesGrid: '本网格',
    problem_network: "网络不通，请检查网络后重试", problem_invalid: "填写有误：{field}", problem_unfit: "无法办理：{field}不符合要求", problem_unprocessable: "无法办理，请检查填写内容", problem_conflict: "该事件已被他人更新，当前状态不允许此操作", problem_not_found: "未找到（已删除或无权查看）", problem_forbidden: "无权进行此操作", problem_unauthorized: "令牌无效或已过期，请重新登录", problem_too_large: "文件太大（照片不超过10 MB）", problem_too_many: "操作太频繁，请稍后再试", problem_internal: "服务器出错，请稍后再试", problem_other: "请求失败（{status}）", field_lon: "位置", field_lat: "位置", field_category: "类别", field_description: "问题描述", field_worker: "网格员", field_note: "说明", field_photos: "照片", field_photo: "照片", field_source: "来源", field_crs: "坐标系", field_q: "搜索内容", field_area: "社区", field_status: "状态", field_limit: "条数", field_code: "查询码", field_rating: "评价", field_comment: "意见", field_building: "楼栋", field_household: "住户", "field_Idempotency-Key": "提交编号", field_body: "提交内容", field_radius_m: "范围", field_overdue: "超时", field_action: "操作", minutesN: "{n}分钟", hoursN: "{n}小时", daysN: "{n}天", workingHoursN: "{n}工作时", workingDaysN: "{n}个工作日", dueIn: "剩余{amount}", overdueBy: "超时{amount}", legendGrids: "网格（户数偏离目标）", legendBuildings: "建筑（户数）", legendIncidentCells: "事件（六边形计数）", legendWorkers: "在岗网格员", legendWorkerClusters: "在岗网格员（聚合）", householdsN: "{n}户", incidentsN: "{n}件", queueTitle: "事件工作台", hotlineNew: "新建热线事件", overdueOnly: "只看超时", anySource: "全部来源", source_worker: "网格员上报", source_hotline: "12345热线", source_resident: "居民随手拍", searchId: "按事件编号搜索", hotlineHint: "在地图上点击事发位置，或搜索楼栋名称、地址", searchBuilding: "搜索楼栋名称、地址", descriptionHint: "问题描述（来电人反映的情况）", submitReport: "提交", anyCategory: "全部类别", anyCommunity: "全部社区", allOpen: "未关闭", queueCount: "共{total}件，其中超时{overdue}件", outsideGrids: "不在任何网格内", closedAt: "{when}关闭", queueEmpty: "没有符合条件的事件", overdue: "超时", where: "位置", source: "来源", deadline: "办结时限", description: "问题描述", reassign: "改派", step_assign: "派遣", step_start: "开始处置", step_resolve: "办结", step_close: "核查关闭", step_return: "退回", timeline: "办理经过", action_report: "上报", action_assign: "派遣", action_start: "开始处置", action_resolve: "办结", action_close: "核查关闭", action_return: "退回", noneOnDuty: "附近没有在岗网格员", returnReason: "退回原因（必填）", noteOptional: "处置说明（选填）", reasonRequired: "请填写退回原因", sending: "正在提交…", assignedToName: "已派遣给{name}", done_start: "已开始处置", done_resolve: "已办结", done_close: "已核查关闭", done_return: "已退回", refreshed: "已刷新为最新状态。", hotlinePick: "请在地图上点击事发位置", descriptionRequired: "请填写问题描述", hotlineCreated: "热线事件已创建", nothingFound: "没有找到",
    reportOpen: "我要报事（随手拍）", trackOpen: "查询办理进度", reportWhere: "位置：在地图上点一下，或使用手机定位", reportUseMyPosition: "使用我的位置", reportTapMap: "请在地图上点击问题所在位置", reportDescribe: "请描述问题（如：小区门口井盖缺失）", reportPhoto: "照片（选填）：", reportPrivacy: "无需登录；照片中的位置等信息会被清除，仅工作人员可见。", reportOutside: "该位置不在本辖区网格内，请重新选择位置", reportThanks: "已收到您的反映，我们会尽快处理。请记下查询码：", reportKeepCode: "凭查询码可随时查询办理进度（应于{when}前办结）。", reportPlaced: "已选定位置", trackPlaceholder: "输入12位查询码", trackGo: "查询进度", trackUnknown: "查询码不存在，请核对后重试", trackDeadline: "应于{when}前办结", ratedAs: "您的评价：{rating}，感谢反馈", rateAsk: "问题已办结，您对处理结果满意吗？", rating_satisfied: "满意", rating_basically_satisfied: "基本满意", rating_dissatisfied: "不满意", ratingComment: "意见建议（选填）", ratingSend: "提交评价", ratingPick: "请选择满意程度",
    w_title: "网格员", w_signInTitle: "网格员登录", w_signInHint: "请用手机扫描规划员打印的登录二维码；也可以输入令牌。", w_notWorker: "该令牌不属于网格员，请扫描本人的登录二维码", w_reportTitle: "上报事件", w_addPhotos: "拍照 / 选择照片", w_locate: "重新定位", w_outbox: "待发送", w_patrolTitle: "巡查", w_patrolStart: "开始巡查", w_patrolStop: "结束巡查", w_visitTitle: "走访", w_visitFind: "查找附近楼栋", w_visitHousehold: "户号（选填）", w_visitNote: "走访情况（必填）", w_visitSave: "保存走访记录", w_tabTasks: "任务", w_tabReport: "上报", w_tabPatrol: "巡查", w_tabVisit: "走访", w_offline: "离线", w_locating: "正在定位…", w_locatedAt: "当前位置：北纬{lat}，东经{lon}", w_goOffDuty: "下岗", w_goOnDuty: "上岗", w_assignedToMe: "派给我的（{n}件）", w_inMyGrids: "我的网格内（{n}件）", w_noTasks: "暂无", w_resolveNote: "处置情况（必填）", w_noteRequired: "请填写说明", w_reportSent: "已上报", w_reportQueued: "暂无网络，已存入待发送，联网后自动上报", w_waiting: "等待联网后发送", w_discard: "删除", w_outboxEmpty: "没有待发送的上报", w_outboxSent: "已补发{n}条上报", w_patrolSince: "巡查中：{when}开始，已记录{n}个定位点", w_patrolIdle: "未在巡查", w_patrolDone: "本次巡查{km}公里，经过{grids}个网格、{buildings}栋楼", w_noBuildings: "附近没有本人网格内的楼栋", w_visitSaved: "走访记录已保存",
    signInCodes: "网格员登录码", searchWorker: "按姓名、编号或网格搜索网格员", printSignInCode: "打印登录码", popupBlocked: "浏览器阻止了打印窗口，请允许弹出窗口", signInSheetHint: "请用手机扫描二维码打开网格员应用（扫码即登录，请妥善保管，勿转给他人）", signInCodePrinted: "已生成{name}的登录码",
  },
  en: {
    view_dashboard: 'Evaluation', dashTitle: 'Evaluation', exportXlsx: 'Export to Excel', trendTitle: 'Trend', allDistrict: 'Whole district',
    period_last30: 'Last 30 days', period_thisMonth: 'This month', period_lastMonth: 'Last month', period_thisYear: 'This year', period_custom: 'Custom period',
    level_district: 'District', level_street: 'Street', level_community: 'Community', level_grid: 'Grid', level_worker: 'Grid worker', byLevel: 'By {level}',
    step_day: 'Daily', step_week: 'Weekly', step_month: 'Monthly', rank: 'Rank',
    ind_reported: 'Reported', ind_closure_rate: 'Closure rate', ind_on_time_rate: 'On-time rate', ind_median_hours_to_close: 'Time to close (median)',
    ind_overdue_now: 'Overdue now', ind_returned_share: 'Returned', ind_satisfaction_rate: 'Satisfaction', ind_patrol_coverage: 'Patrol coverage',
    ind_grids_without_worker: 'Grids without a worker', ind_workers_per_10k_residents: 'Workers per 10,000',
    gridsN: '{n} grids', perTenK: '{n} per 10,000', normNote: 'Norm: {n} grid workers per 10,000 residents', drillHint: 'Click a row to go one level down', dashEmpty: 'No data for this period',

    title: 'Grid governance',
    view_public: 'Public map', view_planner: 'Planner', view_dispatch: 'Dispatch',
    token: 'Access token', tokenHint: 'Planner and dispatch views need a token', save: 'Save', signOut: 'Sign out',
    signedInAs: 'Signed in: {label} ({role})', role_public: 'public', role_worker: 'grid worker', role_dispatcher: 'dispatcher', role_planner: 'planner', role_admin: 'administrator',
    layers: 'Layers', communities: 'Communities', streets: 'Streets', grids: 'Grids', roads: 'Roads',
    buildings: 'Buildings', stations: 'Service stations', workers: 'Workers', incidents: 'Incidents',
    search: 'Search stations…', nearest: 'Nearest to me', walk15: '15-minute walk',
    households: 'Households', residents: 'Residents', floors: 'Floors', kind: 'Kind', code: 'Code',
    services: 'Services', hours: 'Opening hours', address: 'Address', name: 'Name', status: 'Status', category: 'Category',
    downloads: 'Reports', downloadLedger: 'Grid ledger (Excel)', downloadStatistics: 'Incident statistics (Excel)',
    downloading: 'Preparing…', downloaded: 'Downloaded: {name}', downloadFailed: 'Export failed: {detail}',
    loading: 'Loading…', loaded: 'Loaded', noToken: 'Enter a token to see internal data', badToken: 'Invalid token',
    summary: 'Summary', clickHint: 'Click a feature for details', language: '中文',
    service_centre: 'Party-mass service centre', service_station: 'Party-mass service station', red_outpost: 'Red outpost', rider_rest_station: 'Rider rest station',
    apartments: 'Apartments', residential: 'Residential', house: 'House', school: 'School', hospital: 'Hospital', campus: 'Campus',
    enterprise: 'Enterprise', market: 'Market', park: 'Park', public: 'Public building', other: 'Other',
    base: 'Base grid', dedicated: 'Dedicated grid', geolocationFailed: 'Location unavailable',
    reported: 'Reported', assigned: 'Assigned', in_progress: 'In progress', resolved: 'Resolved', closed: 'Closed', returned: 'Returned',
    rebalanceTitle: 'Change communities', split: 'Split', merge: 'Merge', cancel: 'Cancel', preview: 'Preview', commit: 'Commit',
    newCodes: 'New community codes (comma-separated)', newNames: 'New community names (comma-separated)',
    splitHint: 'Click the community to split', drawHint: 'Click on the map to draw the dividing line, then preview', mergeHint: 'Click the adjacent communities to merge (two or more)',
    picked: 'Picked', previewOf: 'Preview on version', buildingsMoved: 'buildings move', gridsChanged: 'grids new or changed',
    gridsRetired: 'grids retired', workersAffected: 'workers affected',
    gridsOutsideBand: 'grids outside the tolerance', unbalanceableGrids: 'of them cannot be balanced (building sizes or an enclave)', allWithinBand: 'every grid within the tolerance', conflict: 'Version conflict: preview again', committed: 'Committed as version',
    basemap: 'Basemap', deviation: 'Off target', gridBuildings: 'Buildings', gridWorkers: 'Workers', stats: 'Statistics',
    histogramTitle: 'Households per grid', gridsWithin: 'within ±{pct}%', partitionPreview: 'Partition preview', partitionOf: 'Partition preview: ',
    nearestWorkers: 'Nearest on-duty workers', assign: 'Assign', assignedTo: 'Assigned to', reportedAt: 'Reported at', incidentCells: 'Incidents',
    count: 'Count', metres: 'm', servesGrid: 'own grid',
    problem_network: "No connection; check the network and try again", problem_invalid: "Invalid input: {field}", problem_unfit: "Cannot be done: {field} does not fit", problem_unprocessable: "Cannot be done; check what you entered", problem_conflict: "Someone else changed this incident; its status does not allow this step", problem_not_found: "Not found (gone, or not yours to see)", problem_forbidden: "You may not do this", problem_unauthorized: "The token is invalid or expired; sign in again", problem_too_large: "File too large (photos up to 10 MB)", problem_too_many: "Too many requests; try again later", problem_internal: "Server error; try again later", problem_other: "Request failed ({status})", field_lon: "location", field_lat: "location", field_category: "category", field_description: "description", field_worker: "worker", field_note: "note", field_photos: "photos", field_photo: "photo", field_source: "source", field_crs: "coordinate system", field_q: "search text", field_area: "community", field_status: "status", field_limit: "count", field_code: "tracking code", field_rating: "rating", field_comment: "comment", field_building: "building", field_household: "household", "field_Idempotency-Key": "submission id", field_body: "request", field_radius_m: "radius", field_overdue: "overdue", field_action: "step", minutesN: "{n} min", hoursN: "{n} h", daysN: "{n} days", workingHoursN: "{n} working hours", workingDaysN: "{n} working days", dueIn: "{amount} left", overdueBy: "{amount} overdue", legendGrids: "Grids (households off target)", legendBuildings: "Buildings (households)", legendIncidentCells: "Incidents (per hexagon)", legendWorkers: "Workers on duty", legendWorkerClusters: "Workers on duty (grouped)", householdsN: "{n} households", incidentsN: "{n} incidents", queueTitle: "Incident workbench", hotlineNew: "New hotline incident", overdueOnly: "Overdue only", anySource: "Any source", source_worker: "Grid worker", source_hotline: "12345 hotline", source_resident: "Resident", searchId: "Search by incident id", hotlineHint: "Click the place on the map, or search a building name or address", searchBuilding: "Search a building name or address", descriptionHint: "What the caller reports", submitReport: "Submit", anyCategory: "Any category", anyCommunity: "Any community", allOpen: "Open", queueCount: "{total} incidents, {overdue} overdue", outsideGrids: "Outside every grid", closedAt: "closed {when}", queueEmpty: "No incident matches", overdue: "Overdue", where: "Where", source: "Source", deadline: "Deadline", description: "Description", reassign: "Reassign", step_assign: "Assign", step_start: "Start", step_resolve: "Resolve", step_close: "Verify and close", step_return: "Return", timeline: "History", action_report: "Reported", action_assign: "Assigned", action_start: "Started", action_resolve: "Resolved", action_close: "Closed", action_return: "Returned", noneOnDuty: "No worker on duty nearby", returnReason: "Reason for returning (required)", noteOptional: "Note (optional)", reasonRequired: "Give a reason for returning", sending: "Sending…", assignedToName: "Assigned to {name}", done_start: "Started", done_resolve: "Resolved", done_close: "Verified and closed", done_return: "Returned", refreshed: "Refreshed to the latest status.", hotlinePick: "Click the place on the map", descriptionRequired: "Describe the problem", hotlineCreated: "Hotline incident created", nothingFound: "Nothing found",
    reportOpen: "Report a problem", trackOpen: "Follow a report", reportWhere: "Place: tap the map, or use the phone's position", reportUseMyPosition: "Use my position", reportTapMap: "Tap the map where the problem is", reportDescribe: "Describe the problem (e.g. a missing manhole cover at the gate)", reportPhoto: "Photo (optional):", reportPrivacy: "No sign-in; the photo's location data is removed and only staff see it.", reportOutside: "This place is outside every grid of the district; pick another", reportThanks: "Thank you; we will deal with it soon. Keep this tracking code:", reportKeepCode: "Follow the report with the code at any time (due by {when}).", reportPlaced: "Place chosen", trackPlaceholder: "The 12-character tracking code", trackGo: "Follow", trackUnknown: "No report has this code; check it and try again", trackDeadline: "due by {when}", ratedAs: "Your rating: {rating}. Thank you", rateAsk: "The problem is dealt with. Are you satisfied?", rating_satisfied: "Satisfied", rating_basically_satisfied: "Mostly satisfied", rating_dissatisfied: "Dissatisfied", ratingComment: "Comment (optional)", ratingSend: "Send rating", ratingPick: "Choose how satisfied you are",
    w_title: "Grid worker", w_signInTitle: "Grid worker sign-in", w_signInHint: "Scan the sign-in QR code your planner printed, or enter a token.", w_notWorker: "This token is not a grid worker's; scan your own sign-in code", w_reportTitle: "Report an incident", w_addPhotos: "Take or choose photos", w_locate: "Locate again", w_outbox: "Waiting to send", w_patrolTitle: "Patrol", w_patrolStart: "Start patrol", w_patrolStop: "End patrol", w_visitTitle: "Visit", w_visitFind: "Find buildings nearby", w_visitHousehold: "Household (optional)", w_visitNote: "What you found (required)", w_visitSave: "Save visit", w_tabTasks: "Tasks", w_tabReport: "Report", w_tabPatrol: "Patrol", w_tabVisit: "Visit", w_offline: "offline", w_locating: "Locating…", w_locatedAt: "Position: {lat} N, {lon} E", w_goOffDuty: "Go off duty", w_goOnDuty: "Go on duty", w_assignedToMe: "Assigned to me ({n})", w_inMyGrids: "In my grids ({n})", w_noTasks: "None", w_resolveNote: "What was done (required)", w_noteRequired: "Write a note", w_reportSent: "Reported", w_reportQueued: "No connection: kept, and sent when back online", w_waiting: "Waiting for a connection", w_discard: "Discard", w_outboxEmpty: "Nothing waiting", w_outboxSent: "{n} waiting reports sent", w_patrolSince: "Patrolling since {when}; {n} positions recorded", w_patrolIdle: "Not patrolling", w_patrolDone: "This patrol: {km} km, {grids} grids, {buildings} buildings passed", w_noBuildings: "No building of your grids nearby", w_visitSaved: "Visit saved",
    signInCodes: "Worker sign-in codes", searchWorker: "Search workers by name, id or grid", printSignInCode: "Print sign-in code", popupBlocked: "The browser blocked the print window; allow pop-ups", signInSheetHint: "Scan with the phone to open the grid worker app (scanning signs in: keep it safe, do not pass it on)", signInCodePrinted: "Sign-in code for {name} made",
  },
};

export function currentLanguage() {
  return localStorage.getItem('gridmap.lang') === 'en' ? 'en' : 'zh';
}

/// The string for `key` in the current language, with `{name}` replaced from `vars`.
export function t(key, vars = {}) {
  const lang = currentLanguage();
  const text = STRINGS[lang][key] ?? STRINGS.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

export function toggleLanguage() {
  localStorage.setItem('gridmap.lang', currentLanguage() === 'zh' ? 'en' : 'zh');
}
